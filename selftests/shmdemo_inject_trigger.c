// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo_inject_trigger BUG - walk the paths of a deliberate bug of a
 * module built with SHMDEMO_INJECT_BUGS=y (kmod/shmdemo_inject.h): set the
 * inject_bug parameter to BUG, create a segment, resize it, ask INFO and
 * remove it, which passes each bug's spot once.  Not a test: `make
 * check-debug` runs it on the debug kernel and expects the VM runner to
 * fail (KASAN, lockdep or kmemleak must report the bug).  Exit status: 0
 * when every step worked (the bug is for the kernel log to show), 1 else.
 */
#include "shmdemo_util.h"

int main(int argc, char **argv)
{
	struct shmdemo_info info;
	long pg = shmdemo_page_size();
	int fd, id, bug;

	if (argc != 2 || (bug = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: %s BUG (1, 2 or 3)\n", argv[0]);
		return 2;
	}
	if (shmdemo_param_set("inject_bug", bug)) {
		perror("inject_bug (not a SHMDEMO_INJECT_BUGS=y module?)");
		return 1;
	}
	fd = shmdemo_open(O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", SHMDEMO_DEVICE, strerror(-fd));
		return 1;
	}
	id = shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, 2 * pg, SHMDEMO_GET_CREATE, 0600);
	if (id < 0 || shmdemo_resize(fd, id, pg) || shmdemo_info(fd, &info) ||
	    shmdemo_rmid(fd, id)) {
		fprintf(stderr, "a step failed\n");
		return 1;
	}
	shmdemo_param_set("inject_bug", 0);
	close(fd);
	return 0;
}
