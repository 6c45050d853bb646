/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one JSON writer, shared by the tool (`ls/stat/map --json`) and the
 * demo (`--json`): string literals with the escapes RFC 8259 requires, and
 * objects and arrays written member by member with the commas in place.
 */
#ifndef SHMDEMO_JSON_H
#define SHMDEMO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A JSON string literal of @s (NULL: ""), escaped. */
void sdt_json_str(FILE *f, const char *s);

/**
 * struct sdt_json - a document being written
 * @f:		where
 * @first:	nothing written yet in the current object or array (no comma)
 *
 * Start with { .f = f, .first = true }.  Members (@key non-NULL) belong in
 * objects; values with a NULL @key are array elements.
 */
struct sdt_json {
	FILE *f;
	bool first;
};

/* "key": (or the comma before an array element when @key is NULL) */
void sdt_json_key(struct sdt_json *j, const char *key);
void sdt_json_begin(struct sdt_json *j, const char *key);	/* { */
void sdt_json_end(struct sdt_json *j);				/* } */
void sdt_json_array_begin(struct sdt_json *j, const char *key);	/* [ */
void sdt_json_array_end(struct sdt_json *j);			/* ] */
void sdt_json_int(struct sdt_json *j, const char *key, int64_t v);
void sdt_json_u64(struct sdt_json *j, const char *key, uint64_t v);
/* A number; NaN and infinities are null. */
void sdt_json_dbl(struct sdt_json *j, const char *key, double v);
void sdt_json_bool(struct sdt_json *j, const char *key, bool v);
/* A string; NULL is null. */
void sdt_json_string(struct sdt_json *j, const char *key, const char *s);
void sdt_json_ints(struct sdt_json *j, const char *key, const int *v, size_t n);

#endif /* SHMDEMO_JSON_H */
