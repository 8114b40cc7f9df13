/* synod-bft-http.h — the BFT shopping cart on the web: the HTTPcart class,
 * an HTTP handler (Standard.HTTPhandler) that turns requests into
 * ShoppingCart operations, issues them through the local Coordinator of a
 * BFT service and answers with the result and its proof.
 *
 * A URLdirectory entry maps a prefix (say /cart/) to it on every replica
 * peer; the class lives in the synod-bft plugin. docs/bft-site.md has the
 * API, the headers and cookies below, and the creation parameters. */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

#define SYNOD_BFT_HTTP_CART_CLASS "Synod.Bft.HTTPcart"

/* Request fields: who asks (16 hex digits) and which request this is
 * (decimal, increasing per client; a retry repeats it). */
#define SYNOD_BFT_CLIENT_HEADER "Synod-Client"
#define SYNOD_BFT_REQUEST_HEADER "Synod-Request"
/* Response fields: the service ("NAME; id=HEX; f=F; n=N") and the
 * replica whose site answered. The proof is SYNOD_BFT_PROOF_HEADER. */
#define SYNOD_BFT_SERVICE_HEADER "Synod-Service"
#define SYNOD_BFT_REPLICA_HEADER "Synod-Replica"
/* Cookies: the client id, and the last request number used with a tag of
 * its operation (what lets a form resubmission be told from a stale
 * form). Neither is HttpOnly: the page's script reads them. */
#define SYNOD_BFT_CLIENT_COOKIE "synod-client"
#define SYNOD_BFT_LAST_COOKIE "synod-last"

gboolean synod_bft_http_register_classes (SynodBroker *broker, GError **error);

G_END_DECLS
