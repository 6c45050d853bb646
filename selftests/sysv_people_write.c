// SPDX-License-Identifier: GPL-2.0
/*
 * sysv_people_write PATH - the classic System V writer: find the segment by
 * ftok(PATH, 0), create it if needed, attach, write ten records, detach.
 * A plain SysV program: run it under LD_PRELOAD=libshmdemo-sysv.so and its
 * segment lives on /dev/shmdemo instead.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

struct people {
	char name[4];
	int age;
};

int main(int argc, char **argv)
{
	struct people *p;
	key_t key;
	int id, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH\n", argv[0]);
		return 2;
	}
	key = ftok(argv[1], 0);
	if (key == -1) {
		perror("ftok");
		return 1;
	}
	id = shmget(key, 4096, IPC_CREAT | 0666);
	if (id < 0) {
		perror("shmget");
		return 1;
	}
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		perror("shmat");
		return 1;
	}
	for (i = 0; i < 10; i++) {
		memset(p[i].name, 0, sizeof(p[i].name));
		p[i].name[0] = 'b' + i;
		p[i].age = 20 + i;
	}
	if (shmdt(p)) {
		perror("shmdt");
		return 1;
	}
	return 0;
}
