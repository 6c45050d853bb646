/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal PNG encoder: 8-bit indexed colour, zlib stream of 'stored'
 * deflate blocks, no external library.
 */
#ifndef SHMDEMO_TOOL_PNG_H
#define SHMDEMO_TOOL_PNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* CRC-32 (ISO 3309, as PNG and zlib use it) of @len bytes, continuing @crc (0 to start). */
uint32_t sdt_crc32(uint32_t crc, const void *buf, size_t len);
/* Adler-32 of @len bytes, continuing @adler (1 to start). */
uint32_t sdt_adler32(uint32_t adler, const void *buf, size_t len);

/*
 * Write a @width x @height image to @f: @pixels holds one palette index per
 * pixel, row by row; @palette holds @ncolors RGB triples (1..256).
 * Returns 0 or -errno (-EINVAL for bad dimensions, -EFBIG if too big).
 */
int sdt_png_write(FILE *f, uint32_t width, uint32_t height, const uint8_t *palette,
		  unsigned int ncolors, const uint8_t *pixels);

#endif /* SHMDEMO_TOOL_PNG_H */
