// SPDX-License-Identifier: GPL-2.0
/*
 * The README's "Using the device" snippet as a whole program, with the
 * error handling the snippet leaves out: create a private segment (like
 * shmget(IPC_PRIVATE)), bind this descriptor to it (like shmat()), map it,
 * write and read back, then remove it (like shmctl(IPC_RMID)).  Built by
 * `make` into build/examples; the tool's test runs it in the VM.
 *
 * Exit status: 0 done, 1 a request failed (the message says which).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/shmdemo.h>

static int fail(const char *what)
{
	int err = errno;

	fprintf(stderr, "device_snippet: %s: %s\n", what, strerror(err));
	if (err == ENOENT && !strcmp(what, "open /dev/shmdemo"))
		fprintf(stderr, "device_snippet: the shmdemo module is not loaded "
			"(sudo insmod build/shmdemo.ko, or make demo to run in a VM)\n");
	return 1;
}

int main(void)
{
	int fd = open("/dev/shmdemo", O_RDWR);
	if (fd < 0)
		return fail("open /dev/shmdemo");
	struct shmdemo_get get = { .size = sizeof(get), .key = SHMDEMO_KEY_PRIVATE, .bytes = 4096,
				   .flags = SHMDEMO_GET_CREATE, .mode = 0600 };
	if (ioctl(fd, SHMDEMO_IOC_GET, &get))		/* like shmget() */
		return fail("SHMDEMO_IOC_GET");
	struct shmdemo_bind bind = { .size = sizeof(bind), .id = get.id };
	if (ioctl(fd, SHMDEMO_IOC_BIND, &bind))	/* like shmat(), then: */
		return fail("SHMDEMO_IOC_BIND");
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap");

	strcpy(p, "hello from segment");
	printf("segment %d: \"%s\"\n", get.id, p);
	munmap(p, 4096);

	struct shmdemo_id rmid = { .size = sizeof(rmid), .id = get.id };
	if (ioctl(fd, SHMDEMO_IOC_RMID, &rmid))	/* like shmctl(IPC_RMID) */
		return fail("SHMDEMO_IOC_RMID");
	close(fd);
	return 0;
}
