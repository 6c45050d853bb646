// SPDX-License-Identifier: GPL-2.0
/*
 * A libshmdemo program as a user builds it against the installed library:
 *
 *	cc -o hello libshmdemo_hello.c $(pkg-config --cflags --libs shmdemo)
 *	./hello [sysv|device]		(default sysv; device needs the module)
 *
 * Creates a private segment on BACKEND, attaches it, writes a string, reads
 * it back and the segment's size from its status, detaches and removes it.  The
 * library's install test builds it with pkg-config from a fresh install
 * (shared and static) and runs it.  Exit status: 0 done, 1 a call failed,
 * 2 a backend other than sysv or device (the others name segments by path
 * or have no name to remove).
 */
#include <stdio.h>
#include <string.h>

#include <libshmdemo.h>

static int fail(const char *what, int err)
{
	fprintf(stderr, "libshmdemo_hello: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "sysv";
	int backend = shmd_backend_from_name(name);
	struct shmd_open_opts o = {
		.sz = sizeof(o), .key = SHMD_KEY_PRIVATE, .size = 4096, .flags = SHMD_CREATE, .mode = 0600,
	};
	struct shmd_stat st = { .sz = sizeof(st) };
	struct shmd_seg *seg;
	char *p;
	int ret;

	if (backend != SHMD_BACKEND_SYSV && backend != SHMD_BACKEND_DEVICE) {
		fprintf(stderr, "libshmdemo_hello: backend '%s': use sysv or device\n", name);
		return 2;
	}
	o.backend = backend;
	ret = shmd_seg_open(&o, &seg);
	if (ret)
		return fail("shmd_seg_open", ret);
	ret = shmd_attach(seg, NULL, 0, (void **)&p);
	if (ret) {
		shmd_remove(seg);
		shmd_seg_close(seg);
		return fail("shmd_attach", ret);
	}
	strcpy(p, "hello");
	ret = shmd_stat(seg, &st);
	printf("%s segment %d: \"%s\", %llu bytes\n", shmd_backend_name(backend),
	       shmd_seg_id(seg), p, ret ? 0ULL : (unsigned long long)st.size);
	shmd_detach(p);
	if (!ret)
		ret = shmd_remove(seg);
	shmd_seg_close(seg);
	return ret ? fail("shmd_stat/shmd_remove", ret) : 0;
}
