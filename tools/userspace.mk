# SPDX-License-Identifier: GPL-2.0
#
# What every userspace Makefile of the project shares (lib/, tools/common/,
# tools/shmdemo/, tools/compare/, demo/, examples/).  Set TOP (the top of
# the tree) and BUILD_SUBDIR (this directory's place in the build tree),
# then include this file.
#
# CFLAGS (default -O2 -g), CPPFLAGS and LDFLAGS from the command line or the
# environment are honoured; the flags the code needs are added to them
# (override), so distribution flags work everywhere.  SHMDEMO_BUILD=DIR
# builds in another tree (make distflags, make sanitize).

.DEFAULT_GOAL	:= all
SHMDEMO_BUILD	?= $(TOP)/build
B		:= $(SHMDEMO_BUILD)/$(BUILD_SUBDIR)
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
MANDIR		?= $(PREFIX)/share/man
CFLAGS		?= -O2 -g
override CFLAGS	+= -std=c11 -Wall -Wextra -Werror
override CPPFLAGS += -D_GNU_SOURCE -I$(TOP)/include -I$(TOP)/include/uapi

# What the tool and the demo link: tools/common, the one device layer
# (lib/device_ioctl.c) and the library.
LIBSHMDEMO	:= $(SHMDEMO_BUILD)/lib/libshmdemo.a
SDT_LIBS	:= $(SHMDEMO_BUILD)/tools/common/libsdtcommon.a \
		   $(SHMDEMO_BUILD)/lib/device_ioctl.o $(LIBSHMDEMO)
SDT_CPPFLAGS	:= -I$(TOP)/tools/common -I$(TOP)/lib

$(B):
	@mkdir -p $@

$(B)/%.o: %.c | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# install-program PROGRAM PAGE: the program and its section 1 page.
install-program = install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 && \
		  install -m 755 $(1) $(DESTDIR)$(BINDIR)/ && \
		  install -m 644 $(2) $(DESTDIR)$(MANDIR)/man1/

# Everything but the library links what other directories build: the
# top-level Makefile builds them first.
ifneq ($(BUILD_SUBDIR),lib)
$(LIBSHMDEMO) $(SHMDEMO_BUILD)/lib/device_ioctl.o:
	@echo "$@ is missing: run make at the top level" >&2; exit 1
endif
ifneq ($(BUILD_SUBDIR),tools/common)
$(SHMDEMO_BUILD)/tools/common/libsdtcommon.a:
	@echo "$@ is missing: run make at the top level" >&2; exit 1
endif

clean:
	rm -rf $(B)

.PHONY: all install clean
