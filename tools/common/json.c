// SPDX-License-Identifier: GPL-2.0
/*
 * JSON output (json.h).  Numbers are printed as C prints them: integers
 * exactly, doubles with %.6g.
 */
#include <inttypes.h>
#include <math.h>

#include "json.h"

void sdt_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; p && *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void sdt_json_key(struct sdt_json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	if (key) {
		sdt_json_str(j->f, key);
		fputc(':', j->f);
	}
}

void sdt_json_begin(struct sdt_json *j, const char *key)
{
	sdt_json_key(j, key);
	fputc('{', j->f);
	j->first = true;
}

void sdt_json_end(struct sdt_json *j)
{
	fputc('}', j->f);
	j->first = false;
}

void sdt_json_array_begin(struct sdt_json *j, const char *key)
{
	sdt_json_key(j, key);
	fputc('[', j->f);
	j->first = true;
}

void sdt_json_array_end(struct sdt_json *j)
{
	fputc(']', j->f);
	j->first = false;
}

void sdt_json_int(struct sdt_json *j, const char *key, int64_t v)
{
	sdt_json_key(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void sdt_json_u64(struct sdt_json *j, const char *key, uint64_t v)
{
	sdt_json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void sdt_json_dbl(struct sdt_json *j, const char *key, double v)
{
	sdt_json_key(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void sdt_json_bool(struct sdt_json *j, const char *key, bool v)
{
	sdt_json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void sdt_json_string(struct sdt_json *j, const char *key, const char *s)
{
	sdt_json_key(j, key);
	if (s)
		sdt_json_str(j->f, s);
	else
		fputs("null", j->f);
}

void sdt_json_ints(struct sdt_json *j, const char *key, const int *v, size_t n)
{
	size_t i;

	sdt_json_array_begin(j, key);
	for (i = 0; i < n; i++)
		sdt_json_int(j, NULL, v[i]);
	sdt_json_array_end(j);
}
