/* synod-http-objects-private.h — what the HTTP classes share.
 *
 * The runtime is per broker (synod_http_register_classes()): the gateway
 * threads that send the invocations that may block (targets on other
 * peers, service names) and get their replies, the deadline tick, and the
 * classes. A site is per HTTPdaemon: its handler deadline, the invocations
 * it waits for (to time them out and to answer them when the site stops)
 * and its counters. synod-http-gateway.c explains the threads.
 */
#pragma once

#include <synod.h>

#include "http.h"
#include "synod-http-exchange-private.h"
#include "synod-http-objects.h"
#include "synod-http-server.h"
#include "synod-http-static.h"

G_BEGIN_DECLS

typedef struct _SynodHttpRuntime SynodHttpRuntime;
typedef struct _SynodHttpSite SynodHttpSite;

/* Threads that make the sends that may block, each with its own context. */
#define SYNOD_HTTP_GATEWAYS 4

typedef struct
{
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
} SynodHttpGateway;

struct _SynodHttpRuntime
{
  gint ref_count;
  SynodBroker *broker; /* not owned: its classes own the runtime */
  SynodHttpGateway gateways[SYNOD_HTTP_GATEWAYS];
  gint next_gateway;
  gboolean gateway_all;
  GSource *tick;
  GMutex lock;
  GPtrArray *sites; /* SynodHttpSite*, not owned: sites remove themselves */
  SynodClass *daemon_class;
  SynodClass *directory_class;
  SynodClass *loader_class;
  SynodClass *document_class;
  SynodClass *receive_class;
};

struct _SynodHttpSite
{
  gint ref_count;
  SynodHttpRuntime *rt;
  guint handler_timeout_ms;
  gboolean inline_objects; /* local objects answer on the connection's worker */
  GMutex lock;
  GQueue pending; /* Pending*, oldest first: deadlines are in order */
  gboolean stopping;
  guint64 invocations;
  guint64 failures;
  guint64 timeouts;
};

SynodHttpRuntime *synod_http_runtime_new (SynodBroker *broker, GError **error);
SynodHttpRuntime *synod_http_runtime_ref (SynodHttpRuntime *rt);
void synod_http_runtime_unref (SynodHttpRuntime *rt);

SynodHttpSite *synod_http_site_new (SynodHttpRuntime *rt, guint handler_timeout_ms);
SynodHttpSite *synod_http_site_ref (SynodHttpSite *site);
void synod_http_site_unref (SynodHttpSite *site);
void synod_http_site_stop (SynodHttpSite *site);

SynodHttpHandler *synod_http_object_handler_new (SynodHttpSite *site, SynodRef *target,
                                                 SynodHttpHandlerRole role);
guint synod_http_status_for_error (const GError *error);

/* Building objects from C: a class's create hook takes its C state from
 * here when it is set (on the creating thread), else from its parameters. */
typedef struct
{
  SynodHttpSite *site;
  SynodUrlDirectory *directory;
  SynodHttpHandler *handler;
  SynodObject *owner;
  const gchar *remote;            /* HTTPfastReceive: the client */
  const SynodObjectId *daemon_id; /* and its daemon */
} SynodHttpInit;

SynodHttpInit *synod_http_init_get (void);
void synod_http_init_set (SynodHttpInit *init);

/* Instances, for classes that build each other. */
typedef struct
{
  SynodHttpRuntime *rt;
  SynodHttpSite *site;
  SynodUrlDirectory *directory;
} SynodHttpDirectoryInstance;

typedef struct
{
  SynodHttpRuntime *rt;
  SynodHttpHandler *loader;
  SynodUrlDirectory *directory;
  SynodObjectId directory_id;
} SynodHttpLoaderInstance;

SynodObject *synod_http_directory_create (SynodHttpRuntime *rt, SynodHttpSite *site,
                                          SynodUrlDirectory *directory, GError **error);
SynodObject *synod_http_loader_create (SynodHttpRuntime *rt, SynodObject *directory,
                                       const gchar *prefix, const gchar *root,
                                       SynodHttpDocumentCache *cache,
                                       const SynodHttpFileLoaderConfig *config, GError **error);

gboolean synod_http_register_daemon_class (SynodBroker *broker, SynodHttpRuntime *rt,
                                           GError **error);
gboolean synod_http_register_directory_classes (SynodBroker *broker, SynodHttpRuntime *rt,
                                                GError **error);

G_END_DECLS
