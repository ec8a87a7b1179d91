"""meson install: exactly the programs, man pages, systemd unit, sysusers.d
file and settings an administrator needs; the man pages render without a
warning and cover every flag, command and setting; systemd-analyze accepts
the unit. Installs into a temporary DESTDIR, never onto this machine."""
import json
import os
import re
import shutil
import subprocess

import harness
from harness import tmpdir

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def options():
    """The build's install directories, as absolute paths."""
    out = subprocess.run(['meson', 'introspect', '--buildoptions', harness.BUILD],
                         capture_output=True, text=True, check=True).stdout
    opts = {o['name']: o['value'] for o in json.loads(out)}
    prefix = opts['prefix']
    return {k: os.path.join(prefix, opts[k]) if k != 'prefix' else prefix
            for k in ('prefix', 'bindir', 'sbindir', 'libexecdir', 'mandir', 'sysconfdir',
                      'datadir')}


def install(dest):
    p = subprocess.run(['meson', 'install', '-C', harness.BUILD, '--no-rebuild',
                        '--destdir', dest], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def installed(dest):
    found = set()
    for d, _, files in os.walk(dest):
        for f in files:
            found.add('/' + os.path.relpath(os.path.join(d, f), dest))
    return found


def test_meson_install_puts_exactly_these_files():
    o = options()
    dest = tmpdir()
    install(dest)
    want = {
        o['sbindir'] + '/hearthd',
        o['sbindir'] + '/hearthctl',
        o['bindir'] + '/hearth',
        o['libexecdir'] + '/hearth-tui',
        o['mandir'] + '/man8/hearthd.8',
        o['mandir'] + '/man8/hearthctl.8',
        o['mandir'] + '/man1/hearth.1',
        o['mandir'] + '/man5/hearthd.conf.5',
        o['prefix'] + '/lib/systemd/system/hearthd.service',
        o['prefix'] + '/lib/sysusers.d/hearth.conf',
        o['datadir'] + '/doc/hearth/hearthd.conf.example',
        o['sysconfdir'] + '/hearth/hearthd.conf',
    }
    assert installed(dest) == want, sorted(installed(dest) ^ want)
    for prog in ('sbindir/hearthd', 'sbindir/hearthctl', 'bindir/hearth',
                 'libexecdir/hearth-tui'):
        d, name = prog.split('/')
        assert os.access(dest + o[d] + '/' + name, os.X_OK), prog
    unit = open(dest + o['prefix'] + '/lib/systemd/system/hearthd.service').read()
    assert 'ExecStart=%s/hearthd --data /var/lib/hearth --tui %s/hearth-tui' % (
        o['sbindir'], o['libexecdir']) in unit, unit
    assert '--config %s/hearth/hearthd.conf' % o['sysconfdir'] in unit
    assert open(dest + o['prefix'] + '/lib/sysusers.d/hearth.conf').read().count(
        '\nu hearth ') == 1

    # the settings file is the example on the first install, and an
    # upgrade (installing again) keeps the administrator's changes
    conf = dest + o['sysconfdir'] + '/hearth/hearthd.conf'
    example = dest + o['datadir'] + '/doc/hearth/hearthd.conf.example'
    assert open(conf).read() == open(example).read()
    with open(conf, 'a') as f:
        f.write('listen = 0.0.0.0:2222\n')
    install(dest)
    assert open(conf).read().endswith('listen = 0.0.0.0:2222\n')
    assert installed(dest) == want


def test_example_settings_file_is_accepted_by_hearthd():
    """hearthd starts with the installed example (every line valid)."""
    dest = tmpdir()
    install(dest)
    o = options()
    conf = dest + o['sysconfdir'] + '/hearth/hearthd.conf'
    body = open(conf).read()
    # the settings it shows, uncommented, are valid too
    on = os.path.join(tmpdir(), 'all-on.conf')
    with open(on, 'w') as f:
        f.write(re.sub(r'(?m)^#([a-z_]+ = )', r'\1', body).replace(
            o['libexecdir'] + '/hearth-tui', os.path.join(harness.BUILD, 'hearth-tui')))
    for path in (conf, on):
        srv = harness.Server()
        srv.stop()
        srv.config = path
        srv.start()
        assert srv.alive()
        srv.stop()


def render(page):
    """groff's text of a man page and its warnings (-ww: all of them)."""
    p = subprocess.run(['groff', '-man', '-Tascii', '-ww', '-P-c', '-P-b', '-P-u', page],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout, p.stderr


def test_man_pages_render_cleanly_and_cover_everything():
    if shutil.which('groff') is None:
        print('SKIP: groff is not installed (apt-get install groff-base)')
        return
    o = options()
    dest = tmpdir()
    install(dest)
    man = dest + o['mandir']
    text = {}
    for page in ('man8/hearthd.8', 'man8/hearthctl.8', 'man1/hearth.1',
                 'man5/hearthd.conf.5'):
        text[page], warnings = render(os.path.join(man, page))
        assert warnings == '', (page, warnings)
        assert '@' not in re.sub(r'\S+@\S+', '', text[page]), page   # no @VAR@ left
        if shutil.which('man'):
            p = subprocess.run(['man', '-l', '--warnings=w', os.path.join(man, page)],
                               capture_output=True, text=True, timeout=30,
                               env=dict(os.environ, MANPAGER='cat', PAGER='cat'))
            assert p.returncode == 0 and p.stderr == '', (page, p.stderr)
    flat = {k: ' '.join(v.split()) for k, v in text.items()}

    # every flag hearthd's --help shows
    usage = subprocess.run([os.path.join(harness.BUILD, 'hearthd'), '--help'],
                           capture_output=True, text=True).stdout
    flags = set(re.findall(r'--[a-z-]+', usage))
    assert {'--data', '--allow-root', '--list-ops', '--tui'} <= flags
    for flag in flags:
        assert flag in flat['man8/hearthd.8'], flag

    # every hearthctl command its --help lists
    usage = subprocess.run([os.path.join(harness.BUILD, 'hearthctl'), '--help'],
                           capture_output=True, text=True).stdout
    cmds = set()
    for line in usage.splitlines():
        m = re.match(r'  ([a-z]+(?: (?:create|list|revoke|show|remove|role|key add))?)\b',
                     line)
        if m:
            cmds.add(m.group(1))
    assert {'init', 'backup', 'member key add', 'community role'} <= cmds, cmds
    for cmd in cmds:
        assert cmd in flat['man8/hearthctl.8'], cmd

    # every key the settings parser knows
    src = open(os.path.join(ROOT, 'server', 'config.c')).read()
    keys = set(re.findall(r'strcmp\(k, "([a-z_]+)"\) == 0', src))
    assert {'listen', 'synchronous', 'guest'} <= keys
    for key in keys:
        assert re.search(r'(?m)^ {7}%s = ' % key, text['man5/hearthd.conf.5']), key
    assert 'rate_CLASS = BURST/PER_SECOND' in flat['man5/hearthd.conf.5']


def test_systemd_unit_verifies():
    if shutil.which('systemd-analyze') is None:
        print('SKIP: systemd-analyze is not installed (Debian package systemd); '
              'the unit was not verified')
        return
    o = options()
    dest = tmpdir()
    install(dest)
    unit = open(dest + o['prefix'] + '/lib/systemd/system/hearthd.service').read()
    for line in ('User=hearth', 'StateDirectory=hearth', 'ProtectSystem=strict',
                 'ProtectHome=yes', 'NoNewPrivileges=yes', 'PrivateTmp=yes',
                 'PrivateDevices=yes', 'CapabilityBoundingSet=\n',
                 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
                 'SystemCallFilter=@system-service', 'ReadWritePaths=/var/lib/hearth\n'):
        assert line in unit, line
    assert unit.count('ReadWritePaths=') == 1
    # systemd-analyze checks that ExecStart's program exists and that the
    # Documentation= man pages open: point both into DESTDIR
    check = os.path.join(tmpdir(), 'hearthd.service')
    with open(check, 'w') as f:
        f.write(unit.replace(o['sbindir'] + '/', dest + o['sbindir'] + '/'))
    p = subprocess.run(['systemd-analyze', 'verify', check], capture_output=True,
                       text=True, timeout=60,
                       env=dict(os.environ, MANPATH=dest + o['mandir']))
    assert p.returncode == 0 and p.stdout + p.stderr == '', p.stdout + p.stderr
