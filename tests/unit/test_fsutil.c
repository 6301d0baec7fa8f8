/*
 * Unit tests: work directories (src/util/fsutil.c) — the owner file, the
 * proof that its process is gone, and the removal of what dead runs left,
 * with real processes (this one, a reaped child) and stand-in /proc trees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/fsutil.h"
#include "util/mem.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *make_tmp(void)
{
    char *dir = xstrdup("/tmp/pgs-test-fsutil.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static bool exists(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

/* The pid of a child that has exited and been reaped: a process that is provably gone. */
static long dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return (long) pid;
}

/* Makes dir/name holding an owner file for owner (and some content). */
static void make_owned_dir(const char *dir, const char *name, const struct fs_owner *owner)
{
    char path[512], text[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_int_equal(mkdir(path, 0700), 0);
    fs_owner_format(owner, text, sizeof(text));
    snprintf(path, sizeof(path), "%s/%s/owner", dir, name);
    write_file(path, text);
    snprintf(path, sizeof(path), "%s/%s/schema.dump", dir, name);
    write_file(path, "PGDMP");
}

static void test_owner_text(void **state)
{
    struct fs_owner o = {.pid = 4242, .start = 987654321ULL}, back;
    strcpy(o.boot_id, "3f1c2a9e-0d4b-4e8f-9a51-7d2c6b0e8f13");
    strcpy(o.pid_ns, "pid:[4026531836]");
    char text[256];
    fs_owner_format(&o, text, sizeof(text));
    assert_true(fs_owner_parse(text, &back));
    assert_int_equal(back.pid, 4242);
    assert_true(back.start == 987654321ULL);
    assert_string_equal(back.boot_id, o.boot_id);
    assert_string_equal(back.pid_ns, o.pid_ns);

    /* unknown identity parts stay unknown */
    struct fs_owner bare = {.pid = 7};
    fs_owner_format(&bare, text, sizeof(text));
    assert_true(fs_owner_parse(text, &back));
    assert_int_equal(back.pid, 7);
    assert_true(back.start == 0);
    assert_string_equal(back.boot_id, "");

    const char *bad[] = {
        "",
        "pid=1\nstart=2\n",                                           /* no header */
        "pgshuttle work directory owner\nstart=2\n",                  /* no pid */
        "pgshuttle work directory owner\npid=12\n",                   /* no start */
        "pgshuttle work directory owner\npid=0\nstart=2\n",           /* kill(0) = process group */
        "pgshuttle work directory owner\npid=-1\nstart=2\n",          /* kill(-1) = everyone */
        "pgshuttle work directory owner\npid=99999999999\nstart=2\n", /* not a pid */
        "pgshuttle work directory owner\npid=12x\nstart=2\n",
        "pgshuttle work directory owner\npid=12\nstart=\n",
        "pgshuttle work directory owner\npid=12\nstart=2\nboot=../../etc\n",
        "pgshuttle work directory owner\npid=12\nstart=2\ngarbage\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (fs_owner_parse(bad[i], &back))
            fail_msg("parsed a bad owner file: %s", bad[i]);
    }
    /* keys of a newer version are ignored */
    assert_true(fs_owner_parse("pgshuttle work directory owner\npid=12\nstart=2\nhost=x\n", &back));
}

/* A stand-in /proc: PID/stat whose name holds ") " and spaces, a boot id, no ns links. */
static void test_owner_of_fake_proc(void **state)
{
    char *root = make_tmp(), path[512];
    snprintf(path, sizeof(path), "%s/4242", root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/4242/stat", root);
    write_file(path, "4242 (odd) name (x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
                     "123456 1000 10 18446744073709551615\n");
    snprintf(path, sizeof(path), "%s/sys/kernel/random", root);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/sys/kernel/random/boot_id", root);
    write_file(path, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\n");

    struct fs_owner o;
    assert_true(fs_owner_of(root, 4242, &o));
    assert_int_equal(o.pid, 4242);
    assert_true(o.start == 123456ULL);
    assert_string_equal(o.boot_id, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    assert_string_equal(o.pid_ns, "");
    /* no such pid, or a stat line cut short */
    assert_false(fs_owner_of(root, 4243, &o));
    snprintf(path, sizeof(path), "%s/4242/stat", root);
    write_file(path, "4242 (short) S 1 2 3\n");
    assert_false(fs_owner_of(root, 4242, &o));

    assert_true(fs_remove_tree(root));
    assert_false(exists("/", root + 1));
    free(root);
}

static void test_state(void **state)
{
    struct fs_owner self, o;
    assert_true(fs_owner_of(NULL, (long) getpid(), &self));
    assert_true(self.start > 0);
    assert_int_equal(fs_owner_state(NULL, &self), FS_OWNER_ALIVE);

    /* the same pid, another start time: the pid went to another process */
    o = self;
    o.start = self.start + 1;
    assert_int_equal(fs_owner_state(NULL, &o), FS_OWNER_DEAD);
    /* another boot */
    if (self.boot_id[0]) {
        o = self;
        o.boot_id[0] = o.boot_id[0] == '0' ? '1' : '0';
        assert_int_equal(fs_owner_state(NULL, &o), FS_OWNER_DEAD);
    }
    /* a pid that is gone */
    o = self;
    o.pid = dead_pid();
    assert_int_equal(fs_owner_state(NULL, &o), FS_OWNER_DEAD);
    /* start time unknown, pid alive: cannot tell */
    o = self;
    o.start = 0;
    assert_int_equal(fs_owner_state(NULL, &o), FS_OWNER_UNKNOWN);
    /* another PID namespace: its pids mean nothing here */
    if (self.pid_ns[0]) {
        o = self;
        o.pid = dead_pid();
        strcpy(o.pid_ns, "pid:[1]");
        assert_int_equal(fs_owner_state(NULL, &o), FS_OWNER_UNKNOWN);
    }
    /* a /proc that shows nothing (not mounted): a live pid is never taken for dead */
    char *empty = make_tmp();
    assert_int_equal(fs_owner_state(empty, &self), FS_OWNER_UNKNOWN);
    rmdir(empty);
    free(empty);
}

static void test_make_workdir(void **state)
{
    char *tmp = make_tmp();
    setenv("TMPDIR", tmp, 1);
    char *wd = fs_make_workdir();
    unsetenv("TMPDIR");
    assert_non_null(wd);
    assert_true(strncmp(wd, tmp, strlen(tmp)) == 0);
    assert_true(strncmp(wd + strlen(tmp), "/pgshuttle-", 11) == 0);
    struct stat st;
    assert_int_equal(stat(wd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    char path[512], text[512];
    snprintf(path, sizeof(path), "%s/owner", wd);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    struct fs_owner o;
    assert_true(fs_owner_parse(text, &o));
    assert_int_equal(o.pid, (long) getpid());
    assert_int_equal(fs_owner_state(NULL, &o), FS_OWNER_ALIVE);
    assert_false(exists(wd, "owner.tmp"));

    /* our own directory survives a sweep */
    assert_int_equal(fs_remove_dead_workdirs(tmp, NULL), 0);
    assert_int_equal(stat(wd, &st), 0);

    assert_true(fs_remove_tree(wd));
    assert_true(fs_remove_tree(tmp));
    free(wd);
    free(tmp);
}

static void test_sweep(void **state)
{
    char *tmp = make_tmp(), *outside = make_tmp(), path[512], target[512];
    struct fs_owner self, dead, recycled;
    assert_true(fs_owner_of(NULL, (long) getpid(), &self));
    dead = self;
    dead.pid = dead_pid();
    recycled = self;
    recycled.start = self.start + 1;

    make_owned_dir(tmp, "pgshuttle-Dead01", &dead);      /* removed */
    make_owned_dir(tmp, "pgshuttle-Dead02", &recycled);  /* removed */
    make_owned_dir(tmp, "pgshuttle-Live01", &self);      /* kept: alive */
    make_owned_dir(tmp, "pgshuttle-demo.abcdef", &dead); /* kept: not our name */
    make_owned_dir(tmp, "pgshuttle-Dead0", &dead);       /* kept: not our name */
    make_owned_dir(tmp, "pgshuttle-Dead-1", &dead);      /* kept: not our name */
    make_owned_dir(outside, "pgshuttle-Target", &dead);  /* reached only by a symlink */
    snprintf(path, sizeof(path), "%s/pgshuttle-NoOwn1", tmp);
    assert_int_equal(mkdir(path, 0700), 0); /* kept: cannot be proven dead */
    snprintf(path, sizeof(path), "%s/pgshuttle-File01", tmp);
    write_file(path, "not a directory"); /* kept */
    snprintf(target, sizeof(target), "%s/pgshuttle-Target", outside);
    snprintf(path, sizeof(path), "%s/pgshuttle-Link01", tmp);
    assert_int_equal(symlink(target, path), 0); /* kept, and so is what it points to */
    /* inside a dead directory, a symlink to a file elsewhere: the link goes, the file stays */
    snprintf(target, sizeof(target), "%s/precious", outside);
    write_file(target, "keep me");
    snprintf(path, sizeof(path), "%s/pgshuttle-Dead01/link", tmp);
    assert_int_equal(symlink(target, path), 0);
    /* an owner file that is a symlink to a dead owner's file is not believed */
    make_owned_dir(tmp, "pgshuttle-LnkOwn", &self);
    snprintf(path, sizeof(path), "%s/pgshuttle-LnkOwn/owner", tmp);
    assert_int_equal(unlink(path), 0);
    snprintf(target, sizeof(target), "%s/pgshuttle-Target/owner", outside);
    assert_int_equal(symlink(target, path), 0);
    /* another user's directory (only root can make one) */
    bool as_root = geteuid() == 0;
    if (as_root) {
        make_owned_dir(tmp, "pgshuttle-Other1", &dead);
        snprintf(path, sizeof(path), "%s/pgshuttle-Other1", tmp);
        assert_int_equal(chown(path, 65534, 65534), 0);
    }

    assert_int_equal(fs_remove_dead_workdirs(tmp, NULL), 2);
    assert_false(exists(tmp, "pgshuttle-Dead01"));
    assert_false(exists(tmp, "pgshuttle-Dead02"));
    assert_true(exists(tmp, "pgshuttle-Live01"));
    assert_true(exists(tmp, "pgshuttle-Live01/schema.dump"));
    assert_true(exists(tmp, "pgshuttle-demo.abcdef"));
    assert_true(exists(tmp, "pgshuttle-Dead0"));
    assert_true(exists(tmp, "pgshuttle-Dead-1"));
    assert_true(exists(tmp, "pgshuttle-NoOwn1"));
    assert_true(exists(tmp, "pgshuttle-File01"));
    assert_true(exists(tmp, "pgshuttle-Link01"));
    assert_true(exists(tmp, "pgshuttle-LnkOwn"));
    assert_true(exists(outside, "pgshuttle-Target/schema.dump"));
    assert_true(exists(outside, "precious"));
    if (as_root)
        assert_true(exists(tmp, "pgshuttle-Other1"));
    /* nothing else to remove the second time */
    assert_int_equal(fs_remove_dead_workdirs(tmp, NULL), 0);

    assert_true(fs_remove_tree(tmp));
    assert_true(fs_remove_tree(outside));
    free(tmp);
    free(outside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owner_text), cmocka_unit_test(test_owner_of_fake_proc),
        cmocka_unit_test(test_state),      cmocka_unit_test(test_make_workdir),
        cmocka_unit_test(test_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
