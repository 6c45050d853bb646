/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the shmdemo fault path and segment life cycle, under
 * /sys/kernel/tracing/events/shmdemo/ and usable with perf.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM shmdemo

#if !defined(_SHMDEMO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SHMDEMO_TRACE_H

#include <linux/mm_types.h>
#include <linux/tracepoint.h>

#define shmdemo_show_fault_result(r)					\
	__print_flags((__force unsigned int)(r), "|",			\
		{ (__force unsigned int)VM_FAULT_OOM, "OOM" },		\
		{ (__force unsigned int)VM_FAULT_SIGBUS, "SIGBUS" },	\
		{ (__force unsigned int)VM_FAULT_NOPAGE, "NOPAGE" },	\
		{ (__force unsigned int)VM_FAULT_LOCKED, "LOCKED" },	\
		{ (__force unsigned int)VM_FAULT_MAJOR, "MAJOR" },	\
		{ (__force unsigned int)VM_FAULT_RETRY, "RETRY" })

TRACE_EVENT(shmdemo_fault,
	    TP_PROTO(int id, pgoff_t pgoff, unsigned long address, bool write,
		     bool cow, bool found, bool alloc, vm_fault_t result, u64 latency_ns),
	    TP_ARGS(id, pgoff, address, write, cow, found, alloc, result, latency_ns),
	    TP_STRUCT__entry(__field(int, id)
			     __field(unsigned long, pgoff)
			     __field(unsigned long, address)
			     __field(bool, write)
			     __field(bool, cow)
			     __field(bool, found)
			     __field(bool, alloc)
			     __field(unsigned int, result)
			     __field(u64, latency_ns)
			     ),
	    TP_fast_assign(__entry->id = id;
			   __entry->pgoff = pgoff;
			   __entry->address = address;
			   __entry->write = write;
			   __entry->cow = cow;
			   __entry->found = found;
			   __entry->alloc = alloc;
			   __entry->result = (__force unsigned int)result;
			   __entry->latency_ns = latency_ns;
			   ),
	    TP_printk("id=%d pgoff=%lu addr=0x%lx %s%s page=%s result=%s latency_ns=%llu",
		      __entry->id, __entry->pgoff, __entry->address,
		      __entry->write ? "write" : "read", __entry->cow ? " cow" : "",
		      __entry->alloc ? "new" : __entry->found ? "cached" : "none",
		      shmdemo_show_fault_result(__entry->result), __entry->latency_ns)
);

/* Page I/O of a file-backed segment: the bytes moved, the error, the time. */
DECLARE_EVENT_CLASS(shmdemo_file_io,
		    TP_PROTO(int id, pgoff_t pgoff, long bytes, int err, u64 latency_ns),
		    TP_ARGS(id, pgoff, bytes, err, latency_ns),
		    TP_STRUCT__entry(__field(int, id)
				     __field(unsigned long, pgoff)
				     __field(long, bytes)
				     __field(int, err)
				     __field(u64, latency_ns)
				     ),
		    TP_fast_assign(__entry->id = id;
				   __entry->pgoff = pgoff;
				   __entry->bytes = bytes;
				   __entry->err = err;
				   __entry->latency_ns = latency_ns;
				   ),
		    TP_printk("id=%d pgoff=%lu bytes=%ld err=%d latency_ns=%llu", __entry->id,
			      __entry->pgoff, __entry->bytes, __entry->err, __entry->latency_ns)
);

/* A page read from the file: the I/O of a major fault. */
DEFINE_EVENT(shmdemo_file_io, shmdemo_read,
	     TP_PROTO(int id, pgoff_t pgoff, long bytes, int err, u64 latency_ns),
	     TP_ARGS(id, pgoff, bytes, err, latency_ns));

/* A dirty page written back to the file. */
DEFINE_EVENT(shmdemo_file_io, shmdemo_writeback,
	     TP_PROTO(int id, pgoff_t pgoff, long bytes, int err, u64 latency_ns),
	     TP_ARGS(id, pgoff, bytes, err, latency_ns));

TRACE_EVENT(shmdemo_map_pages,
	    TP_PROTO(int id, pgoff_t start, pgoff_t end, pgoff_t pgoff, long mapped,
		     vm_fault_t result),
	    TP_ARGS(id, start, end, pgoff, mapped, result),
	    TP_STRUCT__entry(__field(int, id)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(unsigned long, pgoff)
			     __field(long, mapped)
			     __field(unsigned int, result)
			     ),
	    TP_fast_assign(__entry->id = id;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->pgoff = pgoff;
			   __entry->mapped = mapped;
			   __entry->result = (__force unsigned int)result;
			   ),
	    TP_printk("id=%d pgoff=%lu window=%lu-%lu mapped=%ld result=%s",
		      __entry->id, __entry->pgoff, __entry->start, __entry->end,
		      __entry->mapped,
		      /* filemap_map_pages(): NOPAGE if the faulting page got mapped, else 0 */
		      __entry->result ? "NOPAGE" : "0")
);

TRACE_EVENT(shmdemo_mkwrite,
	    TP_PROTO(int id, pgoff_t pgoff, vm_fault_t result),
	    TP_ARGS(id, pgoff, result),
	    TP_STRUCT__entry(__field(int, id)
			     __field(unsigned long, pgoff)
			     __field(unsigned int, result)
			     ),
	    TP_fast_assign(__entry->id = id;
			   __entry->pgoff = pgoff;
			   __entry->result = (__force unsigned int)result;
			   ),
	    TP_printk("id=%d pgoff=%lu result=%s", __entry->id, __entry->pgoff,
		      shmdemo_show_fault_result(__entry->result))
);

DECLARE_EVENT_CLASS(shmdemo_nattch,
		    TP_PROTO(int id, unsigned long nattch),
		    TP_ARGS(id, nattch),
		    TP_STRUCT__entry(__field(int, id)
				     __field(unsigned long, nattch)
				     ),
		    TP_fast_assign(__entry->id = id;
				   __entry->nattch = nattch;
				   ),
		    TP_printk("id=%d nattch=%lu", __entry->id, __entry->nattch)
);

DEFINE_EVENT(shmdemo_nattch, shmdemo_attach,
	     TP_PROTO(int id, unsigned long nattch), TP_ARGS(id, nattch));
DEFINE_EVENT(shmdemo_nattch, shmdemo_detach,
	     TP_PROTO(int id, unsigned long nattch), TP_ARGS(id, nattch));
DEFINE_EVENT(shmdemo_nattch, shmdemo_remove,
	     TP_PROTO(int id, unsigned long nattch), TP_ARGS(id, nattch));

TRACE_EVENT(shmdemo_create,
	    TP_PROTO(int id, int key, u64 bytes),
	    TP_ARGS(id, key, bytes),
	    TP_STRUCT__entry(__field(int, id)
			     __field(int, key)
			     __field(u64, bytes)
			     ),
	    TP_fast_assign(__entry->id = id;
			   __entry->key = key;
			   __entry->bytes = bytes;
			   ),
	    TP_printk("id=%d key=0x%x bytes=%llu", __entry->id, __entry->key,
		      __entry->bytes)
);

TRACE_EVENT(shmdemo_resize,
	    TP_PROTO(int id, u64 old_bytes, u64 new_bytes),
	    TP_ARGS(id, old_bytes, new_bytes),
	    TP_STRUCT__entry(__field(int, id)
			     __field(u64, old_bytes)
			     __field(u64, new_bytes)
			     ),
	    TP_fast_assign(__entry->id = id;
			   __entry->old_bytes = old_bytes;
			   __entry->new_bytes = new_bytes;
			   ),
	    TP_printk("id=%d old=%llu new=%llu", __entry->id, __entry->old_bytes,
		      __entry->new_bytes)
);

TRACE_EVENT(shmdemo_destroy,
	    TP_PROTO(int id, unsigned long resident_pages),
	    TP_ARGS(id, resident_pages),
	    TP_STRUCT__entry(__field(int, id)
			     __field(unsigned long, resident_pages)
			     ),
	    TP_fast_assign(__entry->id = id;
			   __entry->resident_pages = resident_pages;
			   ),
	    TP_printk("id=%d freed_pages=%lu", __entry->id, __entry->resident_pages)
);

#endif /* _SHMDEMO_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE shmdemo_trace
#include <trace/define_trace.h>
