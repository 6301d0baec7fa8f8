/* Unit tests: the user-facing status vocabulary (src/model/status.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/status.h"

static void test_status_strings_are_exact(void **state)
{
    assert_string_equal(mig_status_name(MIG_IN_PROGRESS), "In progress");
    assert_string_equal(mig_status_name(MIG_CANCELED), "Canceled");
    assert_string_equal(mig_status_name(MIG_FAILED), "Failed");
    assert_string_equal(mig_status_name(MIG_VALIDATION_FAILED), "Validation failed");
    assert_string_equal(mig_status_name(MIG_SUCCEEDED), "Succeeded");
    assert_string_equal(mig_status_name(MIG_WAITING_FOR_USER), "Waiting for user action");
}

static void test_substatus_strings_are_exact(void **state)
{
    assert_string_equal(mig_substatus_name(SUB_PREREQUISITES), "Performing prerequisite steps");
    assert_string_equal(mig_substatus_name(SUB_VALIDATING), "Validation in progress");
    assert_string_equal(mig_substatus_name(SUB_DROPPING_DATABASE), "Dropping database on target");
    assert_string_equal(mig_substatus_name(SUB_MIGRATING_DATA), "Migrating data");
    assert_string_equal(mig_substatus_name(SUB_WAITING_FOR_CUTOVER), "Waiting for cutover");
    assert_string_equal(mig_substatus_name(SUB_COMPLETING), "Completing migration");
    assert_string_equal(mig_substatus_name(SUB_COMPLETED), "Completed");
    assert_string_equal(mig_substatus_name(SUB_FAILED), "Failed");
    assert_string_equal(mig_substatus_name(SUB_WAITING_FOR_WINDOW),
                        "Waiting for the migration window");
    assert_string_equal(mig_substatus_name(SUB_WAITING_FOR_OVERWRITE),
                        "Waiting for overwrite confirmation");
}

static void test_every_value_round_trips(void **state)
{
    for (int i = 0; i < MIG_STATUS_COUNT; i++) {
        enum mig_status s;
        assert_true(mig_status_parse(mig_status_name((enum mig_status) i), &s));
        assert_int_equal(s, i);
    }
    for (int i = 0; i < SUB_COUNT; i++) {
        enum mig_substatus s;
        assert_true(mig_substatus_parse(mig_substatus_name((enum mig_substatus) i), &s));
        assert_int_equal(s, i);
    }
    for (int i = 0; i < CHECK_STATUS_COUNT; i++) {
        enum check_status s;
        assert_true(check_status_parse(check_status_name((enum check_status) i), &s));
        assert_int_equal(s, i);
    }
}

static void test_modes_and_types(void **state)
{
    enum mig_mode m;
    enum mig_type t;
    assert_true(mig_mode_parse("online", &m));
    assert_int_equal(m, MODE_ONLINE);
    assert_true(mig_mode_parse("Offline", &m));
    assert_int_equal(m, MODE_OFFLINE);
    assert_false(mig_mode_parse("sideways", &m));
    assert_true(mig_type_parse("validate-and-migrate", &t));
    assert_int_equal(t, TYPE_VALIDATE_AND_MIGRATE);
    assert_string_equal(mig_type_name(t), "Validate and migrate");
    assert_true(mig_type_parse("Validate", &t));
    assert_int_equal(t, TYPE_VALIDATE);
    assert_false(mig_type_parse(NULL, &t));
}

static void test_exit_codes(void **state)
{
    assert_int_equal(mig_status_exit_code(MIG_SUCCEEDED), 0);
    assert_int_equal(mig_status_exit_code(MIG_FAILED), 1);
    assert_int_equal(mig_status_exit_code(MIG_VALIDATION_FAILED), 2);
    assert_int_equal(mig_status_exit_code(MIG_CANCELED), 3);
    assert_true(mig_status_is_final(MIG_CANCELED));
    assert_false(mig_status_is_final(MIG_WAITING_FOR_USER));
    assert_string_equal(mig_status_name((enum mig_status) 99), "Unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_strings_are_exact),
        cmocka_unit_test(test_substatus_strings_are_exact),
        cmocka_unit_test(test_every_value_round_trips),
        cmocka_unit_test(test_modes_and_types),
        cmocka_unit_test(test_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
