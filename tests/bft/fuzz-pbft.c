/* fuzz-pbft.c — see fuzz-pbft.h. The replica under test is a backup (id
 * 1) of a four-replica service; every input also reaches a client. The
 * invariant is the one hostile input must keep: no crash, no leak, no
 * halt of the replica. */
#include "config.h"

#include <string.h>

#include "fuzz-pbft.h"
#include "pbft-private.h"
#include "synod-pbft.h"

#define N 4

static SynodPbftConfig config;
static SynodPbftKeyring *keys[N + 1];
static SynodPbftReplica *replica;
static SynodPbftClient *client;
static gint64 now;

static void
setup (void)
{
  static const guint8 secret[] = "fuzz";
  static SynodStateVariable *state;
  static SynodPbftStore *store;

  if (replica != NULL)
    return;
  synod_pbft_config_init (&config, 3, 1);
  config.checkpoint_interval = 4;
  config.window = 8;
  config.max_message_size = 1 << 20;
  for (guint i = 0; i <= N; i++)
    keys[i] = synod_pbft_keyring_new_derived (secret, sizeof secret, i, N + 1, NULL);
  state = SYNOD_STATE_VARIABLE (synod_key_value_new ());
  store = synod_pbft_store_new_memory ();
  now = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  replica = synod_pbft_replica_new (&config, keys[1], state, store, NULL);
  client = synod_pbft_client_new (&config, keys[N], NULL);
  g_assert (replica != NULL && client != NULL);
  synod_pbft_replica_start (replica, now);
}

static void
drain (void)
{
  SynodPbftOutput o;

  while (synod_pbft_replica_pop_output (replica, &o))
    synod_pbft_output_clear (&o);
  while (synod_pbft_client_pop_output (client, &o))
    synod_pbft_output_clear (&o);
}

static void
feed (const guint8 *data, gsize len)
{
  synod_pbft_replica_receive (replica, now, data, len);
  synod_pbft_client_receive (client, now, data, len);
  drain ();
  g_assert (!synod_pbft_replica_is_halted (replica));
}

void
pbft_fuzz_one (const guint8 *data, gsize len)
{
  g_auto (SynodPbftMessage) m = { 0 };
  g_autoptr (GBytes) sealed = NULL;
  SynodPbftAuthKind kind;
  guint32 sender;

  setup ();
  now += 1000;
  feed (data, len);
  if (!synod_value_decode (&synod_pbft_message_desc, data, len, &m, NULL))
    return;
  sender = m.sender % (N + 1);
  if (sender == 1)
    sender = 0;
  m.sender = sender;
  m.service = config.service;
  switch (m.body.type)
    {
      case SYNOD_PBFT_MSG_CHECKPOINT:
      case SYNOD_PBFT_MSG_VIEW_CHANGE:
      case SYNOD_PBFT_MSG_NEW_VIEW:
        kind = SYNOD_PBFT_AUTH_SIGNATURE;
        break;
      case SYNOD_PBFT_MSG_REQUEST:
        kind = SYNOD_PBFT_AUTH_NONE;
        if (synod_pbft_config_n (&config) <= m.body.u.request.request.origin)
          m.body.u.request.request.origin = N;
        pbft_request_authenticate (keys[m.body.u.request.request.origin], config.service, N, FALSE,
                                   &m.body.u.request, NULL);
        break;
      default:
        kind = SYNOD_PBFT_AUTH_AUTHENTICATOR;
        break;
    }
  sealed = pbft_seal (keys[sender], &m, kind, 1, N, NULL);
  if (sealed != NULL)
    feed (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  /* Time passes: timers run on whatever state the inputs built. */
  now += config.status_interval;
  synod_pbft_replica_timer_expired (replica, now, SYNOD_PBFT_TIMER_STATUS);
  synod_pbft_replica_timer_expired (replica, now, SYNOD_PBFT_TIMER_VIEW_CHANGE);
  synod_pbft_client_timer_expired (client, now);
  drain ();
}

#ifdef SYNOD_FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput (const guint8 *data, size_t len);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t len)
{
  pbft_fuzz_one (data, len);
  return 0;
}
#endif
