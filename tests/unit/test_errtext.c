/*
 * test_errtext.c: the server's argument errors as sentences a member
 * reads (client/errtext.c): the argument named in words, a capital first
 * letter, a full stop; other messages unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "client.h"

static const char *
said(const char *msg)
{
	static char out[512];

	return err_text(msg, out, sizeof out);
}

static void
test_argument_errors_become_sentences(void **state)
{
	(void)state;
	assert_string_equal(said("args.handle must be 2-32 characters: "
	    "lowercase letters a-z"), "The handle must be 2-32 characters: "
	    "lowercase letters a-z.");
	assert_string_equal(said("args.display_name must not be empty"),
	    "The name must not be empty.");
	assert_string_equal(said("args.job_role is too long (max 120 bytes)"),
	    "The job role is too long: please shorten it (at most 120 "
	    "letters, fewer if they are accented or not Latin).");
	assert_string_equal(said("args.title is required"),
	    "Please fill in the title.");
	assert_string_equal(said("args.expertise[2] must be a tag of 1-40 "
	    "characters"), "The expertise (item 3) must be a tag of 1-40 "
	    "characters.");
	assert_string_equal(said("args.contact_visibility must be "
	    "communities, platform or nobody."), "The choice of who sees "
	    "your contact details must be communities, platform or nobody.");
	assert_string_equal(said("args.some_field must be true or false"),
	    "The some field must be true or false.");
	assert_null(strstr(said("args.bogus is not an argument of this "
	    "operation (it takes a, b)"), "args."));
}

static void
test_names_inside_sentences(void **state)
{
	(void)state;
	assert_string_equal(said("Accept the code of conduct "
	    "(member.accept_coc) before writing."), "Accept the code of "
	    "conduct before writing.");
	assert_string_equal(said("The platform's health is for staff; give "
	    "args.community for a community you lead."), "The platform's "
	    "health is for staff; give the community for a community you "
	    "lead.");
	assert_string_equal(said("args.since must be before args.until."),
	    "The start must be before the end.");
	/* brackets that are not an operation stay */
	assert_string_equal(said("Expired (on Monday)."), "Expired (on "
	    "Monday).");
}

static void
test_other_messages_are_kept(void **state)
{
	const char *m = "That invite code is not known.";

	(void)state;
	assert_ptr_equal(said(m), m);
	assert_string_equal(said(""), "");
}

/* A too-long refusal counted in the characters sent, not bytes. */
static void
test_too_long_counts_characters(void **state)
{
	char out[256];
	json_t *a = json_pack("{s:s, s:s}", "q", "日本語日本語日本",
	    "region", "abcdef");

	(void)state;
	/* 8 characters, 24 bytes; 10 bytes hold 3 whole ones */
	assert_true(err_too_long("args.q is too long (max 10 bytes)", a, out,
	    sizeof out));
	assert_string_equal(out, "The search text is too long: 3 characters "
	    "of the 8 typed fit; please shorten it.");
	assert_true(err_too_long("args.region is too long (max 5 bytes)", a,
	    out, sizeof out));
	assert_string_equal(out, "The region is too long: 5 characters of "
	    "the 6 typed fit; please shorten it.");
	/* not what was sent, or another refusal: the usual sentence */
	assert_false(err_too_long("args.bio is too long (max 5 bytes)", a,
	    out, sizeof out));
	assert_false(err_too_long("args.q is required", a, out, sizeof out));
	json_decref(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argument_errors_become_sentences),
		cmocka_unit_test(test_names_inside_sentences),
		cmocka_unit_test(test_other_messages_are_kept),
		cmocka_unit_test(test_too_long_counts_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
