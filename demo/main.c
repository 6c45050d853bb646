// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo-demo: the program.  Everything is in cli.c (demo_main()), which
 * the test links too.
 */
#include "demo.h"

int main(int argc, char **argv)
{
	return demo_main(argc, argv);
}
