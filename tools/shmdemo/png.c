// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal PNG encoder (RFC 2083 / ISO 15948) with no zlib: the image
 * data is a zlib stream (RFC 1950) of 'stored' deflate blocks (RFC 1951,
 * BTYPE 00: uncompressed, at most 65535 bytes each), so the encoder needs
 * only CRC-32 for the chunks and Adler-32 for the zlib trailer.
 *
 * Layout: signature, IHDR (8-bit, colour type 3 = indexed), PLTE, one
 * IDAT, IEND.  Every scanline starts with filter type 0 (none).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "png.h"

#define SDT_PNG_STORED_MAX	65535U
#define SDT_ADLER_MOD		65521U

static uint32_t sdt_crc_table[256];

static void sdt_crc_init(void)
{
	uint32_t c, n, k;

	for (n = 0; n < 256; n++) {
		c = n;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
		sdt_crc_table[n] = c;
	}
}

uint32_t sdt_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!sdt_crc_table[1])
		sdt_crc_init();
	crc = ~crc;
	while (len--)
		crc = sdt_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t sdt_adler32(uint32_t adler, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t a = adler & 0xffff, b = adler >> 16;

	while (len) {
		/* 5552 bytes keep b below 2^32 before the modulo (zlib's NMAX). */
		size_t n = len < 5552 ? len : 5552;

		len -= n;
		while (n--) {
			a += *p++;
			b += a;
		}
		a %= SDT_ADLER_MOD;
		b %= SDT_ADLER_MOD;
	}
	return b << 16 | a;
}

static void sdt_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* length, type, data, CRC of type + data */
static int sdt_png_chunk(FILE *f, const char type[4], const uint8_t *data, uint32_t len)
{
	uint8_t hdr[8], crc[4];
	uint32_t c;

	sdt_put_be32(hdr, len);
	memcpy(hdr + 4, type, 4);
	c = sdt_crc32(0, type, 4);
	c = sdt_crc32(c, data, len);
	sdt_put_be32(crc, c);
	if (fwrite(hdr, 1, 8, f) != 8 || (len && fwrite(data, 1, len, f) != len) ||
	    fwrite(crc, 1, 4, f) != 4)
		return -EIO;
	return 0;
}

/* The zlib stream of @raw in stored blocks, into a malloc()ed buffer. */
static uint8_t *sdt_zlib_stored(const uint8_t *raw, size_t len, size_t *outlen)
{
	size_t nblocks = len ? (len + SDT_PNG_STORED_MAX - 1) / SDT_PNG_STORED_MAX : 1;
	size_t size = 2 + nblocks * 5 + len + 4, off = 0;
	uint8_t *z = malloc(size), *p;

	if (!z)
		return NULL;
	p = z;
	*p++ = 0x78;	/* CM 8 (deflate), CINFO 7 (32K window) */
	*p++ = 0x01;	/* FLEVEL 0, no dictionary; 0x7801 % 31 == 0 */
	do {
		size_t n = len - off < SDT_PNG_STORED_MAX ? len - off : SDT_PNG_STORED_MAX;

		*p++ = off + n == len ? 1 : 0;	/* BFINAL, BTYPE 00 */
		*p++ = (uint8_t)n;
		*p++ = (uint8_t)(n >> 8);
		*p++ = (uint8_t)~n;
		*p++ = (uint8_t)(~n >> 8);
		memcpy(p, raw + off, n);
		p += n;
		off += n;
	} while (off < len);
	sdt_put_be32(p, sdt_adler32(1, raw, len));
	*outlen = size;
	return z;
}

int sdt_png_write(FILE *f, uint32_t width, uint32_t height, const uint8_t *palette,
		  unsigned int ncolors, const uint8_t *pixels)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	uint8_t ihdr[13], *raw, *z;
	size_t rawlen, zlen;
	uint32_t y;
	int ret;

	if (!width || !height || width > 0x7fffffffU || height > 0x7fffffffU ||
	    !ncolors || ncolors > 256)
		return -EINVAL;
	if ((uint64_t)height * (width + 1ULL) > 0x7f000000ULL)
		return -EFBIG;	/* a chunk holds less than 2^31 bytes */
	rawlen = (size_t)height * (width + 1);
	raw = malloc(rawlen);
	if (!raw)
		return -ENOMEM;
	for (y = 0; y < height; y++) {
		raw[(size_t)y * (width + 1)] = 0;	/* filter: none */
		memcpy(raw + (size_t)y * (width + 1) + 1, pixels + (size_t)y * width, width);
	}
	z = sdt_zlib_stored(raw, rawlen, &zlen);
	free(raw);
	if (!z)
		return -ENOMEM;

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
	if (!ret)
		ret = sdt_png_chunk(f, "IDAT", z, (uint32_t)zlen);
	if (!ret)
		ret = sdt_png_chunk(f, "IEND", NULL, 0);
	free(z);
	return ret;
}
