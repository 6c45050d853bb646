/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small PNG writer: 8-bit indexed colour, the image data deflated by
 * zlib, optional tEXt chunks.
 */
#ifndef SHMDEMO_TOOL_PNG_H
#define SHMDEMO_TOOL_PNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A tEXt chunk: keyword (1-79 Latin-1 characters, e.g. "Title") and text. */
struct sdt_png_text {
	const char *key;
	const char *text;
};

/*
 * Write a @width x @height image to @f: @pixels holds one palette index per
 * pixel, row by row; @palette holds @ncolors RGB triples (1..256); @ntext
 * text chunks go before the image data.  Returns 0 or -errno (-EINVAL for
 * bad dimensions or keywords, -EFBIG if too big).
 */
int sdt_png_write(FILE *f, uint32_t width, uint32_t height, const uint8_t *palette,
		  unsigned int ncolors, const uint8_t *pixels, const struct sdt_png_text *text,
		  unsigned int ntext);

#endif /* SHMDEMO_TOOL_PNG_H */
