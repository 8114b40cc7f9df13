/* synod-call.h — what a method implementation knows about its invocation.
 *
 * Every skeleton method receives a SynodCall: who called (the principal),
 * which object, and which interface and method were invoked (which may be an
 * interface the class is only allomorphic to). It is valid for the duration
 * of the method.
 */
#pragma once

#include "synod-broker.h"

G_BEGIN_DECLS

const gchar *synod_call_get_principal (SynodCall *call);
SynodObject *synod_call_get_object (SynodCall *call);
SynodBroker *synod_call_get_broker (SynodCall *call);
const SynodInterfaceDesc *synod_call_get_interface (SynodCall *call);
const SynodMethodDesc *synod_call_get_method (SynodCall *call);
gboolean synod_call_is_oneway (SynodCall *call);
SynodCall *synod_call_get_current (void);

/**
 * SynodCallWait:
 *
 * State of a method's wait for an event another thread signals (see
 * synod_call_wait_begin()); allocate it on the stack.
 */
typedef struct
{
  /*< private >*/
  gpointer _broker;
  gpointer _suspended;
} SynodCallWait;

gboolean synod_call_wait_begin (SynodCallWait *wait, GError **error);
void synod_call_wait_end (SynodCallWait *wait);

G_END_DECLS
