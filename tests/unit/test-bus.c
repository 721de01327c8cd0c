/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A table of properties filled from a GetAll reply (harness/core/bus.c), with no systemd: the reply
 * is built as systemd would send it, on a bus that is started on one end of a socketpair (sd-bus
 * makes messages only for a started bus) and never talks to anyone. */
#include <check.h>
#include <sys/socket.h>

#include "bus.h"
#include "fixture.h"

typedef struct TestBus {
        sd_bus *bus;
        int peer; /* the other end, kept open while the bus is */
} TestBus;

static TestBus test_bus_new(void) {
        int sv[2];
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        TestBus t = { .peer = sv[1] };
        ck_assert_int_ge(sd_bus_new(&t.bus), 0);
        ck_assert_int_ge(sd_bus_set_fd(t.bus, sv[0], sv[0]), 0);
        ck_assert_int_ge(sd_bus_start(t.bus), 0);
        return t;
}

static void test_bus_done(TestBus *t) {
        sd_bus_unref(t->bus);
        safe_close(t->peer);
}

/* A message with the body `a{sv}` as a GetAll reply has it, sealed, ready to read. */
static sd_bus_message *reply_new(sd_bus *bus) {
        sd_bus_message *m = NULL;
        ck_assert_int_ge(sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/test",
                                                        "org.freedesktop.DBus.Properties", "GetAll"),
                         0);
        ck_assert_int_ge(sd_bus_message_open_container(m, 'a', "{sv}"), 0);
        return m;
}

static void reply_seal(sd_bus_message *m) {
        ck_assert_int_ge(sd_bus_message_close_container(m), 0);
        ck_assert_int_ge(sd_bus_message_seal(m, 1, 0), 0);
        ck_assert_int_ge(sd_bus_message_rewind(m, true), 0);
}

static void add(sd_bus_message *m, const char *name, const char *type, ...) {
        va_list ap;
        va_start(ap, type);
        ck_assert_int_ge(sd_bus_message_open_container(m, 'e', "sv"), 0);
        ck_assert_int_ge(sd_bus_message_append(m, "s", name), 0);
        ck_assert_int_ge(sd_bus_message_open_container(m, 'v', type), 0);
        ck_assert_int_ge(sd_bus_message_appendv(m, type, ap), 0);
        ck_assert_int_ge(sd_bus_message_close_container(m), 0);
        ck_assert_int_ge(sd_bus_message_close_container(m), 0);
        va_end(ap);
}

static const uint8_t invocation[16] = { 0x3e, 0x2f, 0x00, 0x9a, 0x10, 0x01, 0x4c, 0x8d,
                                        0xbe, 0xef, 0x77, 0x01, 0xa0, 0x0b, 0xc3, 0xff };

/* The properties of a unit as systemd sends them, among others that the table does not ask for
 * (of every shape: arrays of structs, a struct, nested variants' neighbours), in systemd's order. */
static void add_unit(sd_bus_message *m) {
        add(m, "Id", "s", "docker.service");
        add(m, "Names", "as", 2, "docker.service", "dockerd.service");
        add(m, "Job", "(uo)", 0, "/");
        add(m, "LoadState", "s", "loaded");
        add(m, "ActiveState", "s", "active");
        add(m, "DropInPaths", "as", 2, "/etc/systemd/system.control/docker.service.d/50-TasksMax.conf",
            "/etc/systemd/system/docker.service.d/50-seed.conf");
        add(m, "Conditions", "a(sbbsi)", 1, "ConditionPathExists", 0, 0, "/x", 1);
        ck_assert_int_ge(sd_bus_message_open_container(m, 'e', "sv"), 0);
        ck_assert_int_ge(sd_bus_message_append(m, "s", "InvocationID"), 0);
        ck_assert_int_ge(sd_bus_message_open_container(m, 'v', "ay"), 0);
        ck_assert_int_ge(sd_bus_message_append_array(m, 'y', invocation, sizeof invocation), 0);
        ck_assert_int_ge(sd_bus_message_close_container(m), 0);
        ck_assert_int_ge(sd_bus_message_close_container(m), 0);
        add(m, "TasksCurrent", "t", (uint64_t)505);
        add(m, "TasksMax", "t", (uint64_t)512);
        add(m, "MainPID", "u", (uint32_t)4242);
        add(m, "Transient", "b", 1);
        add(m, "ExecStart", "a(sasbttttuii)", 0);
}

START_TEST(test_table_filled) {
        _cleanup_(test_bus_done) TestBus t = test_bus_new();
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = reply_new(t.bus);
        add_unit(m);
        reply_seal(m);

        _cleanup_(freep) char *id = NULL, *load = NULL, *active = NULL;
        _cleanup_(strv_freep) char **dropins = NULL;
        uint64_t current = 0, max = 0, effective = 7;
        uint32_t pid = 0;
        bool transient = false, has_current = false, has_effective = true;
        char invocation_id[33] = "x";
        const TsBusProperty props[] = {
                { "Id", "s", &id, NULL },
                { "LoadState", "s", &load, NULL },
                { "ActiveState", "s", &active, NULL },
                { "DropInPaths", "as", &dropins, NULL },
                { "InvocationID", "ay", invocation_id, NULL },
                { "TasksCurrent", "t", &current, &has_current },
                { "TasksMax", "t", &max, NULL },
                { "EffectiveTasksMax", "t", &effective, &has_effective },
                { "MainPID", "u", &pid, NULL },
                { "Transient", "b", &transient, NULL },
        };
        ck_assert_int_ge(ts_bus_properties_parse(m, props, ELEMENTSOF(props)), 0);
        ck_assert_str_eq(id, "docker.service");
        ck_assert_str_eq(load, "loaded");
        ck_assert_str_eq(active, "active");
        ck_assert_ptr_nonnull(dropins);
        ck_assert_str_eq(dropins[0], "/etc/systemd/system.control/docker.service.d/50-TasksMax.conf");
        ck_assert_str_eq(dropins[1], "/etc/systemd/system/docker.service.d/50-seed.conf");
        ck_assert_ptr_null(dropins[2]);
        ck_assert_str_eq(invocation_id, "3e2f009a10014c8dbeef7701a00bc3ff");
        ck_assert_uint_eq(current, 505);
        ck_assert(has_current);
        ck_assert_uint_eq(max, 512);
        ck_assert_uint_eq(pid, 4242);
        ck_assert(transient);
        /* a property this systemd does not have (EffectiveTasksMax before v256): untouched, not found */
        ck_assert_uint_eq(effective, 7);
        ck_assert(!has_effective);
}
END_TEST

/* A property given twice keeps the last value (and frees the first); an ID of zeros is "". */
START_TEST(test_repeated_and_zero_id) {
        _cleanup_(test_bus_done) TestBus t = test_bus_new();
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = reply_new(t.bus);
        add(m, "Slice", "s", "system.slice");
        add(m, "Slice", "s", "taskstorm.slice");
        uint8_t zero[16] = {};
        ck_assert_int_ge(sd_bus_message_open_container(m, 'e', "sv"), 0);
        ck_assert_int_ge(sd_bus_message_append(m, "s", "InvocationID"), 0);
        ck_assert_int_ge(sd_bus_message_open_container(m, 'v', "ay"), 0);
        ck_assert_int_ge(sd_bus_message_append_array(m, 'y', zero, sizeof zero), 0);
        ck_assert_int_ge(sd_bus_message_close_container(m), 0);
        ck_assert_int_ge(sd_bus_message_close_container(m), 0);
        reply_seal(m);

        _cleanup_(freep) char *slice = strdup("before");
        char invocation_id[33] = "x";
        const TsBusProperty props[] = {
                { "Slice", "s", &slice, NULL },
                { "InvocationID", "ay", invocation_id, NULL },
        };
        ck_assert_int_ge(ts_bus_properties_parse(m, props, ELEMENTSOF(props)), 0);
        ck_assert_str_eq(slice, "taskstorm.slice");
        ck_assert_str_eq(invocation_id, "");
}
END_TEST

/* An empty reply finds nothing; a property of another type than the table's is -EBADMSG. */
START_TEST(test_empty_and_wrong_type) {
        _cleanup_(test_bus_done) TestBus t = test_bus_new();
        uint64_t max = 9;
        bool found = true;
        const TsBusProperty props[] = { { "TasksMax", "t", &max, &found } };

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *empty = reply_new(t.bus);
        reply_seal(empty);
        ck_assert_int_ge(ts_bus_properties_parse(empty, props, ELEMENTSOF(props)), 0);
        ck_assert(!found);
        ck_assert_uint_eq(max, 9);

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *wrong = reply_new(t.bus);
        add(wrong, "TasksMax", "s", "infinity");
        reply_seal(wrong);
        ck_assert_int_eq(ts_bus_properties_parse(wrong, props, ELEMENTSOF(props)), -EBADMSG);
        ck_assert_uint_eq(max, 9);
}
END_TEST

/* A reply that is not an a{sv} fails (as an error from sd-bus), with nothing filled. */
START_TEST(test_not_a_dictionary) {
        _cleanup_(test_bus_done) TestBus t = test_bus_new();
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        ck_assert_int_ge(sd_bus_message_new_method_call(t.bus, &m, "org.freedesktop.systemd1", "/test",
                                                        "org.freedesktop.DBus.Properties", "GetAll"),
                         0);
        ck_assert_int_ge(sd_bus_message_append(m, "o", "/org/freedesktop/systemd1/unit/docker_2eservice"),
                         0);
        ck_assert_int_ge(sd_bus_message_seal(m, 1, 0), 0);
        _cleanup_(freep) char *id = NULL;
        const TsBusProperty props[] = { { "Id", "s", &id, NULL } };
        ck_assert_int_lt(ts_bus_properties_parse(m, props, ELEMENTSOF(props)), 0);
        ck_assert_ptr_null(id);
}
END_TEST

static Suite *bus_suite(void) {
        Suite *s = suite_create("bus");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_table_filled);
        tcase_add_test(tc, test_repeated_and_zero_id);
        tcase_add_test(tc, test_empty_and_wrong_type);
        tcase_add_test(tc, test_not_a_dictionary);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(bus_suite());
}
