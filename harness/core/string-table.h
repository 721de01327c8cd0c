/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names of an enum's values, from one table: NAME_to_string() and NAME_from_string() over
 * `static const char *const NAME_table[]` indexed by the enum (after systemd's string-table.h). */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "macro.h"

/* The index of key in table, or -EINVAL (an enum's _INVALID) for a name it does not hold or NULL. */
static inline ssize_t string_table_lookup(const char *const *table, size_t len, const char *key) {
        for (size_t i = 0; key && i < len; i++)
                if (table[i] && streq(table[i], key))
                        return (ssize_t)i;
        return -EINVAL;
}

#define DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)                                                    \
        const char *name##_to_string(type i) {                                                              \
                return i >= 0 && (size_t)i < ELEMENTSOF(name##_table) ? name##_table[i] : NULL;             \
        }

#define DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)                                                  \
        type name##_from_string(const char *s) {                                                            \
                return (type)string_table_lookup(name##_table, ELEMENTSOF(name##_table), s);                \
        }

#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                                              \
        DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)                                                    \
        DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)
