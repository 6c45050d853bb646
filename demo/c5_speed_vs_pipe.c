// SPDX-License-Identifier: GPL-2.0
/*
 * C5: shared memory is the fastest IPC because nothing is copied through
 * the kernel.  A producer process hands the same 16 MiB to a consumer
 * process, several rounds, through a pipe (write() copies into the pipe,
 * read() copies out) and through shared memory (the producer copies into
 * the segment, a one-byte notification, the consumer copies out): SysV
 * natively, the device.  Reported: each shared-memory time as a ratio to
 * the pipe's, measured in the same run - the first round (page faults
 * included) and the best later round - and the bytes the kernel copied,
 * from /proc/PID/io (rchar + wchar: what read() and write() moved).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

#define C5_BYTES	(16ULL << 20)
#define C5_ROUNDS	4
#define C5_CHUNK	65536

struct c5_ctx {
	struct shmd_seg *seg;	/* NULL: through the pipe */
	size_t bytes;
	int producer;		/* the role of the next child started */
	int data[2];		/* producer -> consumer: the bytes (pipe) or a note (shm) */
	int ack[2];		/* consumer -> producer: ready for the next round */
};

struct c5_rep {
	int err;
	int data_ok;
	uint64_t t[C5_ROUNDS];	/* producer: start of each round; consumer: end */
	uint64_t io;		/* rchar + wchar moved between the snapshots */
	uint64_t sync;		/* of which 1-byte acks and notes */
	int io_source;
};

static uint64_t c5_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* rchar + wchar of this process; *@own: bytes this read itself returned. */
static int64_t c5_io(size_t *own)
{
	char buf[512];
	long long rc = -1, wc = -1;
	ssize_t n;
	char *s;
	int fd = open("/proc/self/io", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	*own = (size_t)n;
	s = strstr(buf, "rchar:");
	if (s)
		rc = strtoll(s + 6, NULL, 10);
	s = strstr(buf, "wchar:");
	if (s)
		wc = strtoll(s + 6, NULL, 10);
	return rc < 0 || wc < 0 ? -1 : rc + wc;
}

/* The content of round @round: a fixed pattern, stamped with the round per page. */
static void c5_fill(unsigned char *p, size_t len, int round, int base)
{
	size_t i;

	if (base)
		for (i = 0; i < len; i++)
			p[i] = (unsigned char)(i * 131 + (i >> 12));
	for (i = 0; i < len; i += 4096)
		p[i] = (unsigned char)round;
}

static int c5_xfer_all(int fd, unsigned char *p, size_t len, int writing)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		size_t chunk = len - off < C5_CHUNK ? len - off : C5_CHUNK;

		n = writing ? write(fd, p + off, chunk) : read(fd, p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		off += (size_t)n;
	}
	return 0;
}

static int c5_side(struct c5_ctx *x, struct c5_rep *rep)
{
	int producer = x->producer;
	unsigned char *buf = malloc(x->bytes), *want = producer ? NULL : malloc(x->bytes);
	unsigned char *shm = NULL;
	size_t own = 0;
	int64_t io0;
	char c = 'n';
	int r, ret = 0;

	rep->data_ok = 1;
	if (!buf || (!producer && !want)) {
		ret = -ENOMEM;
		goto out_free;
	}
	c5_fill(buf, x->bytes, 0, 1);		/* also faults our buffer in */
	if (want)
		c5_fill(want, x->bytes, 0, 1);
	if (x->seg && shmd_attach(x->seg, NULL, producer ? 0 : SHMD_RDONLY, (void **)&shm)) {
		ret = -EIO;
		goto out_free;
	}
	io0 = c5_io(&own);
	for (r = 0; r < C5_ROUNDS; r++) {
		if (producer) {
			if (read(x->ack[0], &c, 1) != 1)
				goto out_pipe;
			c5_fill(buf, x->bytes, r, 0);
			rep->t[r] = c5_now();
			if (!shm) {
				if (c5_xfer_all(x->data[1], buf, x->bytes, 1))
					goto out_pipe;
			} else {
				memcpy(shm, buf, x->bytes);
				if (write(x->data[1], &c, 1) != 1)
					goto out_pipe;
				rep->sync++;	/* the note written */
			}
		} else {
			if (write(x->ack[1], &c, 1) != 1)
				goto out_pipe;
			if (!shm) {
				if (c5_xfer_all(x->data[0], buf, x->bytes, 0))
					goto out_pipe;
			} else {
				if (read(x->data[0], &c, 1) != 1)
					goto out_pipe;
				memcpy(buf, shm, x->bytes);
				rep->sync++;	/* the note read */
			}
			rep->t[r] = c5_now();
			c5_fill(want, x->bytes, r, 0);
			rep->data_ok &= !memcmp(buf, want, x->bytes);
		}
		rep->sync++;	/* the ack, read or written */
	}
	if (io0 >= 0) {
		size_t own2;
		int64_t io1 = c5_io(&own2);

		rep->io_source = io1 >= 0;
		if (io1 >= 0)
			rep->io = (uint64_t)(io1 - io0) - own;
	}
	goto out_detach;
out_pipe:
	ret = -EPIPE;
out_detach:
	if (shm)
		shmd_detach(shm);
out_free:
	free(buf);
	free(want);
	return ret;
}

static int c5_proc(struct demo_chan *ch, void *arg)
{
	struct c5_ctx *x = arg;
	struct c5_rep rep = { 0 };

	/* Keep only our ends: a peer that dies must end our reads with EOF. */
	close(x->producer ? x->data[0] : x->data[1]);
	close(x->producer ? x->ack[1] : x->ack[0]);
	rep.err = c5_side(x, &rep);
	return demo_chan_send(ch, &rep, sizeof(rep)) ? 1 : 0;
}

/* One transfer experiment: a producer and a consumer, C5_ROUNDS rounds. */
static int c5_transfer(struct shmd_seg *seg, struct demo_xfer *out)
{
	struct c5_ctx x = { .seg = seg, .bytes = C5_BYTES };
	struct demo_child prod, cons;
	struct c5_rep rp, rc;
	int ret, r, ok;

	if (pipe2(x.data, O_CLOEXEC))
		return -errno;
	if (pipe2(x.ack, O_CLOEXEC)) {
		ret = -errno;
		close(x.data[0]);
		close(x.data[1]);
		return ret;
	}
	ret = demo_child_start(&cons, c5_proc, &x);
	if (!ret) {
		x.producer = 1;
		ret = demo_child_start(&prod, c5_proc, &x);
		if (!ret) {
			ret = demo_child_recv(&prod, &rp, sizeof(rp));
			if (demo_child_wait(&prod) && !ret)
				ret = -ECHILD;
		}
	}
	close(x.data[0]);
	close(x.data[1]);
	close(x.ack[0]);
	close(x.ack[1]);
	if (cons.pid > 0) {
		ok = demo_child_recv(&cons, &rc, sizeof(rc));
		if ((demo_child_wait(&cons) || ok) && !ret)
			ret = ok ? ok : -ECHILD;
	}
	if (!ret)
		ret = rp.err ? rp.err : rc.err;
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->cold_ns = rc.t[0] - rp.t[0];
	out->warm_ns = UINT64_MAX;
	for (r = 1; r < C5_ROUNDS; r++)
		if (rc.t[r] - rp.t[r] < out->warm_ns)
			out->warm_ns = rc.t[r] - rp.t[r];
	out->io_source = rp.io_source && rc.io_source;
	out->sync_bytes = (rp.sync + rc.sync) / C5_ROUNDS;
	out->kernel_bytes = out->io_source ? (rp.io + rc.io) / C5_ROUNDS - out->sync_bytes :
			    (seg ? 0 : 2 * C5_BYTES);
	out->nvcsw = (uint64_t)(prod.ru.ru_nvcsw + cons.ru.ru_nvcsw);
	out->data_ok = rc.data_ok;
	return 0;
}

static double c5_ratio(uint64_t shm, uint64_t pipe)
{
	return pipe ? (double)shm / (double)pipe : 0.0;
}

static int c5_run(struct demo_result *r, int side)
{
	struct demo_c5 *e = &r->c5;
	struct demo_xfer *x = &e->shm[side];
	struct shmd_open_opts o = {
		.sz = sizeof(o), .backend = side == DEMO_NATIVE ? SHMD_BACKEND_SYSV :
			SHMD_BACKEND_DEVICE,
		.key = SHMD_KEY_PRIVATE, .size = C5_BYTES, .flags = SHMD_CREATE, .mode = 0600,
	};
	struct shmd_seg *seg;
	int ret;

	e->bytes = C5_BYTES;
	e->rounds = C5_ROUNDS;
	if (!e->pipe_done) {	/* the reference, once per run */
		ret = c5_transfer(NULL, &e->pipe);
		if (ret)
			return demo_fail(r, side, ret, "the pipe transfer");
		e->pipe_done = 1;
		demo_say(r, DEMO_SEC_EVIDENCE, "pipe (the reference): %llu MiB x %d rounds, "
			 "first %.1f ms, best later %.1f ms; kernel copied %llu bytes per transfer "
			 "(%s), + %llu sync bytes; %llu voluntary context switches; data %s",
			 (unsigned long long)(C5_BYTES >> 20), C5_ROUNDS, e->pipe.cold_ns / 1e6,
			 e->pipe.warm_ns / 1e6, (unsigned long long)e->pipe.kernel_bytes,
			 e->pipe.io_source ? "/proc/PID/io rchar+wchar" : "read/write counts",
			 (unsigned long long)e->pipe.sync_bytes, (unsigned long long)e->pipe.nvcsw,
			 e->pipe.data_ok ? "intact" : "CORRUPT");
	}
	ret = shmd_seg_open(&o, &seg);
	if (ret)
		return demo_fail(r, side, ret, "create a %llu MiB %s segment",
				 (unsigned long long)(C5_BYTES >> 20), shmd_backend_name(o.backend));
	ret = c5_transfer(seg, x);
	shmd_remove(seg);
	shmd_seg_close(seg);
	if (ret)
		return demo_fail(r, side, ret, "the %s transfer", shmd_backend_name(o.backend));
	e->ratio_cold[side] = c5_ratio(x->cold_ns, e->pipe.cold_ns);
	e->ratio_warm[side] = c5_ratio(x->warm_ns, e->pipe.warm_ns);
	demo_say(r, demo_sec_of(side), "%s segment, %llu MiB per round: first round %.2fx the "
		 "pipe's time (page faults included), later rounds %.2fx (best of %d)",
		 shmd_backend_name(o.backend), (unsigned long long)(C5_BYTES >> 20),
		 e->ratio_cold[side], e->ratio_warm[side], C5_ROUNDS - 1);
	demo_say(r, demo_sec_of(side), "  %.1f ms / %.1f ms against the pipe's %.1f ms / %.1f ms; "
		 "kernel copied %llu data bytes per transfer (+ %llu sync bytes); data %s",
		 x->cold_ns / 1e6, x->warm_ns / 1e6, e->pipe.cold_ns / 1e6, e->pipe.warm_ns / 1e6,
		 (unsigned long long)x->kernel_bytes, (unsigned long long)x->sync_bytes,
		 x->data_ok ? "intact" : "CORRUPT");
	demo_summary(r, side, "%.2fx pipe time (cold %.2fx)", e->ratio_warm[side],
		     e->ratio_cold[side]);
	return 0;
}

static void c5_judge(struct demo_result *r, int side)
{
	const struct demo_c5 *e = &r->c5;
	const struct demo_xfer *x = &e->shm[side];

	demo_judge(r, side, x->data_ok && e->pipe.data_ok && e->ratio_warm[side] < 1.0 &&
		   x->kernel_bytes < e->pipe.kernel_bytes,
		   "%s moved %llu MiB in %.2fx the pipe's time (best later round %.1f ms vs "
		   "%.1f ms; first round %.2fx, %.1f ms vs %.1f ms); the kernel copied %llu "
		   "bytes per transfer vs the pipe's %llu%s",
		   side == DEMO_NATIVE ? "SysV shm" : "the device", (unsigned long long)(e->bytes >> 20),
		   e->ratio_warm[side], x->warm_ns / 1e6, e->pipe.warm_ns / 1e6,
		   e->ratio_cold[side], x->cold_ns / 1e6, e->pipe.cold_ns / 1e6,
		   (unsigned long long)x->kernel_bytes, (unsigned long long)e->pipe.kernel_bytes,
		   x->data_ok && e->pipe.data_ok ? "" : "; data CORRUPT");
}

static void c5_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	const struct demo_c5 *e = &r->c5;
	const struct demo_xfer *x = &e->shm[side];

	sdt_json_u64(j, "bytes", e->bytes);
	sdt_json_int(j, "rounds", e->rounds);
	sdt_json_u64(j, "pipe_cold_ns", e->pipe.cold_ns);
	sdt_json_u64(j, "pipe_warm_ns", e->pipe.warm_ns);
	sdt_json_u64(j, "pipe_kernel_bytes", e->pipe.kernel_bytes);
	sdt_json_u64(j, "pipe_nvcsw", e->pipe.nvcsw);
	sdt_json_u64(j, "shm_cold_ns", x->cold_ns);
	sdt_json_u64(j, "shm_warm_ns", x->warm_ns);
	sdt_json_u64(j, "shm_kernel_bytes", x->kernel_bytes);
	sdt_json_u64(j, "shm_sync_bytes", x->sync_bytes);
	sdt_json_u64(j, "shm_nvcsw", x->nvcsw);
	sdt_json_dbl(j, "ratio_cold", e->ratio_cold[side]);
	sdt_json_dbl(j, "ratio_warm", e->ratio_warm[side]);
	sdt_json_int(j, "io_from_proc", x->io_source);
	sdt_json_int(j, "data_ok", x->data_ok && e->pipe.data_ok);
}

const struct demo_row demo_row_c5 = {
	.name = "C5",
	.title = "shared memory against a pipe: the same bytes, copied or not",
	.claim = "shm is the fastest IPC (no kernel copy)",
	.article = { "pipes and message queues copy the data through the kernel (four copies "
		     "against two);",
		     "shared memory does not, so it is the fastest IPC" },
	.run = c5_run,
	.judge = c5_judge,
	.json = c5_json,
};
