// SPDX-License-Identifier: GPL-2.0
/*
 * sysv_people_read PATH [rm] - the classic System V reader: find the
 * segment by ftok(PATH, 0), attach it read-only, print the ten records,
 * detach, and with "rm" remove the segment.
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
		fprintf(stderr, "usage: %s PATH [rm]\n", argv[0]);
		return 2;
	}
	key = ftok(argv[1], 0);
	if (key == -1) {
		perror("ftok");
		return 1;
	}
	id = shmget(key, 0, 0);
	if (id < 0) {
		perror("shmget");
		return 1;
	}
	p = shmat(id, NULL, SHM_RDONLY);
	if (p == (void *)-1) {
		perror("shmat");
		return 1;
	}
	for (i = 0; i < 10; i++)
		printf("name: %.4s age %d\n", p[i].name, p[i].age);
	if (fflush(stdout))
		return 1;
	if (shmdt(p)) {
		perror("shmdt");
		return 1;
	}
	if (argc > 2 && !strcmp(argv[2], "rm") && shmctl(id, IPC_RMID, NULL)) {
		perror("shmctl");
		return 1;
	}
	return 0;
}
