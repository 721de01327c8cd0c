/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lines of a log as people paste it, each as it was meant: without the CR of a Windows paste,
 * the quote marks and escapes of markdown, and with the prefix that journalctl (short, short-iso,
 * short-precise, short-full), syslog (RFC 3164 and 3339) or dmesg (plain and -T) put before the
 * message taken apart; the entries of `journalctl -o json`, `-o export` and `-o verbose` read
 * field by field. A kernel line that a narrow terminal wrapped after "pids controller in" gets its
 * path back from the next line. Any bytes are tolerated; nothing is allocated per line once the
 * reader's buffers have grown. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "span.h"

typedef struct TsLogLine {
        Span raw;        /* the line without CR, quote marks and markdown escapes; an entry's MESSAGE */
        Span msg;        /* the message after a journal, syslog or dmesg prefix (else raw) */
        Span ident;      /* "dockerd" (no "[pid]"), "kernel" for dmesg; empty: unknown */
        Span unit;       /* an entry's _SYSTEMD_UNIT (else UNIT, systemd's own lines about a unit) */
        Span cgroup;     /* an entry's _SYSTEMD_CGROUP */
        uint64_t usec;   /* CLOCK_REALTIME µs; 0: unknown (a short timestamp has no year) */
        unsigned number; /* its line in the text, from 1 (an entry's first) */
        bool journal;    /* a log line with a parsed prefix, or an entry */
        bool kernel;     /* the kernel's: dmesg, ident "kernel", _TRANSPORT=kernel */
        bool fence;      /* a markdown code fence ("```", "~~~"): carries nothing */
} TsLogLine;

typedef struct TsLogReader {
        const char *p, *end;
        unsigned number;
        char *line; /* the current line, normalised */
        size_t line_size;
        char *next_line; /* the line after it, read ahead for a wrapped kernel line */
        size_t next_size;
        struct TsLogEntry *entry; /* fields of a JSON, export or verbose entry */
} TsLogReader;

void ts_log_reader_init(TsLogReader *r, const char *text, size_t size);
/* The next line into *ret (valid until the next call): 1, or 0 at the end, -ENOMEM. */
int ts_log_reader_next(TsLogReader *r, TsLogLine *ret);
void ts_log_reader_done(TsLogReader *r);

/* journalctl's own lines ("-- Logs begin at ...", "-- No entries --", "-- Boot ..."): a journal
 * was there, even with nothing to say. */
bool ts_log_is_journal_marker(Span l);

/* The timestamp a journal or syslog line starts with, in journalctl's short, short-precise,
 * short-iso, short-iso-precise and short-full formats and RFC 3339: *ret_usec is CLOCK_REALTIME, 0
 * where the format has no year or zone; *ret_end the index after it. */
bool ts_log_parse_timestamp(Span l, uint64_t *ret_usec, size_t *ret_end);
