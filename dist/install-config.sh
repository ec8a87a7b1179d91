#!/bin/sh
# meson install script: put the example settings file in place as
# SYSCONFDIR/hearth/hearthd.conf on the first install only, so an upgrade
# never overwrites the administrator's settings.
set -eu
example="$1" conf="${DESTDIR:-}$2"
if [ -e "$conf" ]; then
	echo "Keeping $conf (the example is $example)"
else
	install -d -m 0755 "$(dirname "$conf")"
	install -m 0644 "${DESTDIR:-}$example" "$conf"
	echo "Installing $conf"
fi
