// SPDX-License-Identifier: GPL-2.0
/*
 * A small PNG writer (ISO/IEC 15948) on zlib: the chunks and their CRC-32
 * are written here, the image data is compressed by compress2() (a zlib
 * stream, as PNG's compression method 0 requires).  A residency map is
 * mostly runs of one colour: 1024 pages deflate from 65 KB to about 1 KB.
 *
 * Layout: signature, IHDR (8-bit, colour type 3 = indexed), PLTE, tEXt...,
 * one IDAT, IEND.  Every scanline starts with filter type 0 (none): the
 * other filters help photographs, not a palette image of flat squares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "png.h"

static void sdt_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* length, type, data (@len1 bytes of @d1 then @len2 of @d2), CRC of type + data */
static int sdt_png_chunk2(FILE *f, const char type[4], const void *d1, uint32_t len1,
			  const void *d2, uint32_t len2)
{
	uint8_t hdr[8], crc[4];
	uLong c;

	sdt_put_be32(hdr, len1 + len2);
	memcpy(hdr + 4, type, 4);
	c = crc32(0L, (const Bytef *)type, 4);
	if (len1)
		c = crc32(c, d1, len1);
	if (len2)
		c = crc32(c, d2, len2);
	sdt_put_be32(crc, (uint32_t)c);
	if (fwrite(hdr, 1, 8, f) != 8 || (len1 && fwrite(d1, 1, len1, f) != len1) ||
	    (len2 && fwrite(d2, 1, len2, f) != len2) || fwrite(crc, 1, 4, f) != 4)
		return -EIO;
	return 0;
}

static int sdt_png_chunk(FILE *f, const char type[4], const void *data, uint32_t len)
{
	return sdt_png_chunk2(f, type, data, len, NULL, 0);
}

/* tEXt: keyword, NUL, text (no NUL). */
static int sdt_png_text_chunk(FILE *f, const struct sdt_png_text *t)
{
	size_t klen = strlen(t->key), tlen = strlen(t->text);

	if (!klen || klen > 79 || tlen > 0x100000)
		return -EINVAL;
	return sdt_png_chunk2(f, "tEXt", t->key, (uint32_t)klen + 1, t->text, (uint32_t)tlen);
}

/* The filtered scanlines, deflated, into a malloc()ed buffer. */
static uint8_t *sdt_png_deflate(uint32_t width, uint32_t height, const uint8_t *pixels,
				uLongf *zlen)
{
	size_t rawlen = (size_t)height * (width + 1);
	uint8_t *raw = malloc(rawlen), *z;
	uint32_t y;

	if (!raw)
		return NULL;
	for (y = 0; y < height; y++) {
		raw[(size_t)y * (width + 1)] = 0;	/* filter: none */
		memcpy(raw + (size_t)y * (width + 1) + 1, pixels + (size_t)y * width, width);
	}
	*zlen = compressBound(rawlen);
	z = malloc(*zlen);
	if (z && compress2(z, zlen, raw, rawlen, Z_BEST_COMPRESSION) != Z_OK) {
		free(z);
		z = NULL;
	}
	free(raw);
	return z;
}

int sdt_png_write(FILE *f, uint32_t width, uint32_t height, const uint8_t *palette,
		  unsigned int ncolors, const uint8_t *pixels, const struct sdt_png_text *text,
		  unsigned int ntext)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	uint8_t ihdr[13], *z;
	unsigned int i;
	uLongf zlen;
	int ret;

	if (!width || !height || width > 0x7fffffffU || height > 0x7fffffffU ||
	    !ncolors || ncolors > 256)
		return -EINVAL;
	/* uLong is 32 bits on some ABIs, and a chunk holds less than 2^31 bytes */
	if ((uint64_t)height * (width + 1ULL) > 0x7f000000ULL)
		return -EFBIG;
	z = sdt_png_deflate(width, height, pixels, &zlen);
	if (!z)
		return -ENOMEM;
	if (zlen > 0x7fffffffUL) {
		free(z);
		return -EFBIG;
	}

	sdt_put_be32(ihdr, width);
	sdt_put_be32(ihdr + 4, height);
	ihdr[8] = 8;	/* bit depth */
	ihdr[9] = 3;	/* colour type: indexed */
	ihdr[10] = 0;	/* compression: deflate */
	ihdr[11] = 0;	/* filter method 0 */
	ihdr[12] = 0;	/* no interlace */
	ret = fwrite(sig, 1, sizeof(sig), f) == sizeof(sig) ? 0 : -EIO;
	if (!ret)
		ret = sdt_png_chunk(f, "IHDR", ihdr, sizeof(ihdr));
	if (!ret)
		ret = sdt_png_chunk(f, "PLTE", palette, 3 * ncolors);
	for (i = 0; !ret && i < ntext; i++)
		ret = sdt_png_text_chunk(f, &text[i]);
	if (!ret)
		ret = sdt_png_chunk(f, "IDAT", z, (uint32_t)zlen);
	if (!ret)
		ret = sdt_png_chunk(f, "IEND", NULL, 0);
	free(z);
	return ret;
}
