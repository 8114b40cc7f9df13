/* proof-vectors.js — runs data/site/synod-proof.js (the browser's proof
 * checker) on vectors made by test-bft-proof-js and prints, as JSON, each
 * vector's verdict, the replicas counted, replica 0's rebuilt statement and
 * the decoded result, for the C test to compare with its own.
 *
 *   node proof-vectors.js SYNOD-PROOF.JS VECTORS.JSON */
'use strict';
const fs = require('node:fs');
if (!globalThis.crypto) globalThis.crypto = require('node:crypto').webcrypto;
if (!globalThis.atob) globalThis.atob = (s) => Buffer.from(s, 'base64').toString('binary');

const SP = require(require('node:path').resolve(process.argv[2]));
const input = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));

function summary(kind, r) {
  const lines = (ls) => ls.map((l) => `${l.item} x${l.quantity} @${l.price}`).join(', ');
  if (kind === 'cart' && r.cart) return `${r.cart.user}: ${lines(r.cart.lines)} = ${r.cart.total}`;
  if (kind === 'order' && r.order)
    return `order ${r.order.number} of ${r.order.user} at ${r.order.timestamp}: ${lines(r.order.lines)} = ${r.order.total}`;
  if (kind === 'catalog') return r.catalog.map((c) => `${c.item} ${c.price} ${c.description}`).join('; ');
  return '';
}

(async () => {
  const service = await SP.loadService(input.service);
  const out = [];
  for (const v of input.vectors) {
    const value = SP.base64ToBytes(v.value);
    const check = await SP.verify(service, v.proof, v.client, v.number, value);
    const r = { name: v.name, ok: check.ok };
    if (check.ok) r.signers = check.signers;
    else r.reason = check.reason;
    if (v.statement) {
      const p = SP.decodeProof(SP.base64ToBytes(v.proof));
      r.statement = SP.hex(SP.replyStatement(p.service, p.signatures[0].replica, p.client, p.number,
                                             p.readOnly, p.resultDigest));
    }
    if (check.ok) {
      const d = SP.decodeCartResult(value);
      r.decoded = { status: d.status, summary: summary(v.kind, d) };
    }
    out.push(r);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});
