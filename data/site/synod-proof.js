/* synod-proof.js — checks a BFT service's answers in the browser.
 *
 * Every answer of the shop carries a proof (the Synod-Proof header: base64
 * of the XDR Synod.Bft.Proof): Ed25519 signatures of replicas over their
 * ReplyStatement {service, replica, client, number, read_only,
 * SHA-256(result)}. An answer is proven when f+1 distinct replicas (2f+1
 * for a read-only request) signed the statement of *this* request and
 * *this* result: at least one of them is correct. This file rebuilds the
 * statements byte for byte (XDR: big-endian, 4-byte units), checks the
 * signatures with WebCrypto, and decodes the proven result (the
 * Synod.ShoppingCart.Result XDR) so that the page shows what the replicas
 * signed, not what the site says they signed.
 *
 * No dependencies; works in browsers with WebCrypto Ed25519 (Firefox 129,
 * Safari 17, Chrome 137 and later) and in Node.js 18+ (its tests). */
(function (root) {
  'use strict';

  var MAX_REPLICAS = 64;

  function XdrError(message) {
    var e = new Error(message);
    e.name = 'XdrError';
    return e;
  }

  /* A strict XDR reader: lengths within bounds, zero padding, bools 0/1,
   * nothing left over. */
  function Reader(bytes) {
    this.b = bytes;
    this.v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.o = 0;
  }
  Reader.prototype.need = function (n) {
    if (this.o + n > this.b.length) throw XdrError('truncated');
  };
  Reader.prototype.u32 = function () {
    this.need(4);
    var x = this.v.getUint32(this.o);
    this.o += 4;
    return x;
  };
  Reader.prototype.u64 = function () {
    this.need(8);
    var x = this.v.getBigUint64(this.o);
    this.o += 8;
    return x;
  };
  Reader.prototype.bool = function () {
    var x = this.u32();
    if (x > 1) throw XdrError('a bool is 0 or 1');
    return x === 1;
  };
  Reader.prototype.fixed = function (n) {
    var pad = (4 - (n % 4)) % 4;
    this.need(n + pad);
    var out = this.b.slice(this.o, this.o + n);
    for (var i = 0; i < pad; i++)
      if (this.b[this.o + n + i] !== 0) throw XdrError('non-zero padding');
    this.o += n + pad;
    return out;
  };
  Reader.prototype.opaque = function (max) {
    var len = this.u32();
    if (len > max) throw XdrError('too long');
    return this.fixed(len);
  };
  Reader.prototype.string = function (max) {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.opaque(max));
  };
  Reader.prototype.array = function (max, item) {
    var len = this.u32();
    if (len > max) throw XdrError('too many elements');
    var out = [];
    for (var i = 0; i < len; i++) out.push(item.call(this));
    return out;
  };
  Reader.prototype.optional = function (item) {
    return this.bool() ? item.call(this) : null;
  };
  Reader.prototype.end = function () {
    if (this.o !== this.b.length) throw XdrError('trailing bytes');
  };

  function base64ToBytes(text) {
    if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4)
      throw XdrError('not base64');
    var bin = atob(text);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function hex(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }

  /* Synod.Bft.Proof (bft/bft.idl). */
  function decodeProof(bytes) {
    var r = new Reader(bytes);
    var p = {
      service: r.u64(),
      client: r.u64(),
      number: r.u64(),
      readOnly: r.bool(),
      resultDigest: r.fixed(32),
    };
    p.signatures = r.array(MAX_REPLICAS, function () {
      var s = { replica: this.u32(), signature: this.fixed(64), scheme: this.u32() };
      if (s.scheme !== 1) throw XdrError('unknown proof scheme ' + s.scheme);
      return s;
    });
    r.end();
    return p;
  }

  /* Synod.Pbft.ReplyStatement: what each replica signs. */
  function replyStatement(service, replica, client, number, readOnly, digest) {
    var out = new Uint8Array(8 + 4 + 8 + 8 + 4 + 32);
    var v = new DataView(out.buffer);
    v.setBigUint64(0, BigInt(service));
    v.setUint32(8, replica);
    v.setBigUint64(12, BigInt(client));
    v.setBigUint64(20, BigInt(number));
    v.setUint32(28, readOnly ? 1 : 0);
    out.set(digest, 32);
    return out;
  }

  var STATUS = [
    'ok', 'unknown-item', 'not-in-cart', 'empty-cart', 'no-such-order', 'limit', 'read-only',
    'bad-operation',
  ];

  /* Synod.ShoppingCart.Result (bft/shoppingcart.idl). */
  function decodeCartResult(bytes) {
    var r = new Reader(bytes);
    function lines() {
      return this.array(256, function () {
        return { item: this.string(128), quantity: this.u32(), price: this.u64() };
      });
    }
    var status = r.u32();
    if (status >= STATUS.length) throw XdrError('unknown status ' + status);
    var out = { status: STATUS[status] };
    out.cart = r.optional(function () {
      return { user: this.string(128), lines: lines.call(this), total: this.u64() };
    });
    out.order = r.optional(function () {
      return {
        number: this.string(32),
        user: this.string(128),
        lines: lines.call(this),
        total: this.u64(),
        timestamp: this.u64(),
      };
    });
    out.catalog = r.array(128, function () {
      return { item: this.string(128), price: this.u64(), description: this.string(120) };
    });
    r.end();
    return out;
  }

  function subtle() {
    var c = root.crypto || (typeof globalThis !== 'undefined' && globalThis.crypto);
    if (!c || !c.subtle) throw new Error('WebCrypto is not available (a secure context is needed)');
    return c.subtle;
  }

  /* The service as the keys file or /cart/api/service gives it:
   * {service: "16 hex digits", f, n, replicaKeys: [base64 raw Ed25519]}. */
  async function loadService(info) {
    if (!info || !/^[0-9a-f]{16}$/.test(info.service) || !Array.isArray(info.replicaKeys))
      throw new Error('not a service description');
    var raw = info.replicaKeys.map(base64ToBytes);
    if (raw.length !== info.n || info.n !== 3 * info.f + 1) throw new Error('n is not 3f+1 keys');
    var keys = [];
    for (var i = 0; i < raw.length; i++) {
      if (raw[i].length !== 32) throw new Error('a key is not 32 bytes');
      keys.push(await subtle().importKey('raw', raw[i], { name: 'Ed25519' }, false, ['verify']));
    }
    var all = new Uint8Array(32 * raw.length);
    raw.forEach(function (k, j) { all.set(k, 32 * j); });
    var fp = new Uint8Array(await subtle().digest('SHA-256', all));
    return {
      name: info.name,
      service: BigInt('0x' + info.service),
      f: info.f,
      n: info.n,
      keys: keys,
      fingerprint: hex(fp).slice(0, 16),
    };
  }

  /* Checks that @proofText (base64) proves @value (bytes) as the result of
   * request @number (decimal string or BigInt) of @client (16 hex digits).
   * Resolves to {ok: true, signers: [replicas], readOnly} or
   * {ok: false, reason}. Never throws for a bad proof. */
  async function verify(service, proofText, client, number, value) {
    var p;
    try {
      p = decodeProof(base64ToBytes(proofText));
    } catch (e) {
      return { ok: false, reason: 'the proof does not decode (' + e.message + ')' };
    }
    var digest = new Uint8Array(await subtle().digest('SHA-256', value));
    if (p.service !== service.service) return { ok: false, reason: 'the proof is for another service' };
    if (p.client !== BigInt('0x' + client) || p.number !== BigInt(number))
      return { ok: false, reason: 'the proof is for another request' };
    if (hex(digest) !== hex(p.resultDigest))
      return { ok: false, reason: 'the proof is for another result' };
    var seen = {};
    var signers = [];
    for (var i = 0; i < p.signatures.length; i++) {
      var s = p.signatures[i];
      if (s.replica >= service.n || seen[s.replica]) continue;
      var st = replyStatement(p.service, s.replica, p.client, p.number, p.readOnly, digest);
      var good = false;
      try {
        good = await subtle().verify({ name: 'Ed25519' }, service.keys[s.replica], s.signature, st);
      } catch (e) {
        good = false;
      }
      if (!good) continue;
      seen[s.replica] = true;
      signers.push(s.replica);
    }
    var needed = p.readOnly ? 2 * service.f + 1 : service.f + 1;
    if (signers.length < needed)
      return {
        ok: false,
        reason: signers.length + ' valid signatures of distinct replicas; ' + needed + ' are needed',
        signers: signers,
      };
    signers.sort(function (a, b) { return a - b; });
    return { ok: true, signers: signers, readOnly: p.readOnly };
  }

  var api = {
    base64ToBytes: base64ToBytes,
    hex: hex,
    decodeProof: decodeProof,
    decodeCartResult: decodeCartResult,
    replyStatement: replyStatement,
    loadService: loadService,
    verify: verify,
  };
  root.SynodProof = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(typeof self !== 'undefined' ? self : globalThis);
