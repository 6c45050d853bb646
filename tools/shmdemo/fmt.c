// SPDX-License-Identifier: GPL-2.0
/*
 * Human-readable fields: dates, permission strings, user and group names.
 */
#include <grp.h>
#include <pwd.h>
#include <time.h>

#include "tool.h"

const char *sdt_fmt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0) {
		snprintf(buf, len, "never");
		return buf;
	}
	if (!localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S %z", &tm))
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

const char *sdt_fmt_perms(unsigned int mode, char *buf, size_t len)
{
	static const char rwx[] = "rwxrwxrwx";
	char s[10];
	int i;

	for (i = 0; i < 9; i++)
		s[i] = mode & (1U << (8 - i)) ? rwx[i] : '-';
	s[9] = '\0';
	snprintf(buf, len, "%s", s);
	return buf;
}

const char *sdt_fmt_user(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", (unsigned int)uid);
	return buf;
}

const char *sdt_fmt_group(gid_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%u", (unsigned int)gid);
	return buf;
}
