/* test-counter.h — Test.Counter implementations shared by the broker tests. */
#pragma once

#include <synod.h>

#include "broker-test.h"

typedef struct
{
  gint total;
  gint active;     /* methods running now (atomic) */
  gint max_active; /* most seen at once (atomic) */
  gint bumps;
  gint multiplier; /* 1 for version 1, 2 for version 2 */
} Counter;

/* Number of delete hooks run, across all counters (atomic). */
extern gint counter_deletes;

SynodClass *counter_class_new (const gchar *name, guint32 version, gint multiplier);
SynodClass *counter_class_register (SynodBroker *broker, const gchar *name, guint32 version,
                                    gint multiplier);
