/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks of the table in qualify.c: limits enforced (qualify-limits.c) and limits as systemd
 * sets and keeps them (qualify-settings.c). */
#pragma once

#include "qualify.h"

void qualify_scope_limit(const TsQualifyContext *ctx, TsQualifyResult *ret);
void qualify_service_limit(const TsQualifyContext *ctx, TsQualifyResult *ret);
void qualify_infinity(const TsQualifyContext *ctx, TsQualifyResult *ret);
void qualify_slice_limit(const TsQualifyContext *ctx, TsQualifyResult *ret);
void qualify_tasks_current(const TsQualifyContext *ctx, TsQualifyResult *ret);

void qualify_percent(const TsQualifyContext *ctx, TsQualifyResult *ret);
void qualify_percent_reload(const TsQualifyContext *ctx, TsQualifyResult *ret);
void qualify_default_tasks_max(const TsQualifyContext *ctx, TsQualifyResult *ret);
void qualify_set_property_live(const TsQualifyContext *ctx, TsQualifyResult *ret);
