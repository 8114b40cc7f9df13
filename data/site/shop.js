/* shop.js — the shop's pages (index.html, cart.html) on the JSON API of
 * the HTTPcart adapter (/cart/api/), with every answer checked in the
 * browser by synod-proof.js before it is shown.
 *
 * Identity: the client id is the synod-client cookie (the site sets it;
 * cookies are shared by the four replica sites of one host). Each request
 * gets a new number, above the last one used (kept in localStorage and
 * in the synod-last cookie), and keeps it when retried: a request that
 * fails, times out or comes back without a valid proof is sent again,
 * same client id and number, to the next replica's site, where it is
 * executed at most once. One request is in flight at a time. */
(function () {
  'use strict';

  var SP = window.SynodProof;
  var API = '/cart/api/';
  var TIMEOUT_MS = 12000;
  var state = { service: null, client: null, sites: [], replica: null, chain: Promise.resolve() };

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'onclick') e.addEventListener('click', attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function money(cents) {
    var c = BigInt(cents);
    var r = c % 100n;
    return (c / 100n).toString() + '.' + (r < 10n ? '0' : '') + r.toString();
  }

  function cookie(name) {
    var parts = document.cookie.split(';');
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].trim();
      if (p.indexOf(name + '=') === 0) return p.slice(name.length + 1);
    }
    return null;
  }

  /* Above every number this browser used for this client. */
  function nextNumber() {
    var last = 0n;
    try { last = BigInt(localStorage.getItem('synod-number') || '0'); } catch (e) { last = 0n; }
    var c = cookie('synod-last');
    if (c && /^[0-9]{1,16}\./.test(c)) {
      var n = BigInt(c.split('.')[0]);
      if (n > last) last = n;
    }
    var now = BigInt(Date.now()) * 1000n;
    var next = now > last ? now : last + 1n;
    try { localStorage.setItem('synod-number', next.toString()); } catch (e) { /* private mode */ }
    return next.toString();
  }

  function say(text, kind) {
    var n = $('notice');
    if (!n) return;
    n.textContent = text;
    n.className = kind || 'notice';
    n.hidden = !text;
  }

  /* One line per answer: what, which site, who signed. */
  function logProof(what, site, check, number) {
    var list = $('proofs');
    if (!list) return;
    var li = el('li', { class: check.ok ? 'ok' : 'bad' });
    li.appendChild(el('span', { class: 'what', text: what }));
    li.appendChild(document.createTextNode(' at ' + site + ': '));
    li.appendChild(el('strong', {
      text: check.ok ? 'verified by replicas ' + check.signers.join(',')
                     : 'NOT verified (' + check.reason + ')',
    }));
    li.appendChild(el('span', { class: 'number', text: ' request ' + number }));
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 20) list.removeChild(list.lastChild);
  }

  function badge(check) {
    var b = $('verified');
    if (!b) return;
    b.textContent = 'verified by replicas ' + check.signers.join(',');
    b.className = 'badge ok';
  }

  /* This site first, then the others in replica order after it. */
  function sitesInOrder() {
    var here = location.origin;
    var others = state.sites.filter(function (s) { return s !== here; });
    var start = state.replica === null ? 0 : state.replica;
    others.sort(function (a, b) {
      var ia = (state.sites.indexOf(a) - start + state.sites.length) % state.sites.length;
      var ib = (state.sites.indexOf(b) - start + state.sites.length) % state.sites.length;
      return ia - ib;
    });
    return [here].concat(others);
  }

  async function fetchWithTimeout(url, options) {
    var ctl = new AbortController();
    var t = setTimeout(function () { ctl.abort(); }, TIMEOUT_MS);
    try {
      options.signal = ctl.signal;
      return await fetch(url, options);
    } finally {
      clearTimeout(t);
    }
  }

  /* Sends one request, retrying it (same number) at each replica's site in
   * turn until an answer with a valid proof comes. Resolves to {result,
   * check, site, status} or, for a refusal before execution (4xx without
   * a result), {refused: json, status}. */
  async function attempt(method, path, body, what) {
    var number = nextNumber();
    var problems = [];
    var renumbered = 0;
    var sites = sitesInOrder();
    for (var i = 0; i < sites.length; i++) {
      var site = sites[i];
      var headers = { 'Synod-Client': state.client, 'Synod-Request': number };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      var res, json;
      try {
        res = await fetchWithTimeout(site + API + path, {
          method: method,
          headers: headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          mode: 'cors',
          credentials: site === location.origin ? 'same-origin' : 'omit',
          cache: 'no-store',
        });
        json = await res.json();
      } catch (e) {
        problems.push(site + ': ' + (e.name === 'AbortError' ? 'no answer in time' : 'unreachable'));
        continue;
      }
      if (res.status >= 500 || (res.status === 409 && json.error === 'busy')) {
        problems.push(site + ': ' + res.status + ' ' + (json.message || ''));
        continue;
      }
      if (json.error === 'stale-number' && renumbered++ < 3) {
        number = nextNumber(); /* a number this client used before: a new one, here again */
        i--;
        continue;
      }
      if (!json.value) return { refused: json, status: res.status };
      var value;
      try {
        value = SP.base64ToBytes(json.value);
      } catch (e) {
        problems.push(site + ': the answer is not base64');
        continue;
      }
      var proof = res.headers.get('Synod-Proof') || json.proof;
      var check = await SP.verify(state.service, proof, state.client, number, value);
      logProof(what, site, check, number);
      if (!check.ok) {
        problems.push(site + ': unproven answer (' + check.reason + ')');
        continue;
      }
      var result;
      try {
        result = SP.decodeCartResult(value);
      } catch (e) {
        problems.push(site + ': the proven result does not decode');
        continue;
      }
      if (i > 0)
        say('No proven answer from this site (' + problems.join('; ') + '): replica site ' + site +
            ' gave one.', 'warn');
      return { result: result, check: check, site: site, status: res.status };
    }
    throw new Error('No replica gave a proven answer: ' + problems.join('; '));
  }

  function call(method, path, body, what) {
    var run = state.chain.then(function () { return attempt(method, path, body, what); });
    state.chain = run.catch(function () {});
    return run;
  }

  /* ---- rendering ---- */

  function renderCatalog(catalog) {
    var body = $('catalog-rows');
    if (!body) return;
    body.textContent = '';
    catalog.forEach(function (c) {
      var q = el('input', { type: 'number', value: '1', min: '1', max: '99', 'aria-label': 'quantity' });
      body.appendChild(el('tr', {}, [
        el('td', { text: c.item }),
        el('td', { text: c.description }),
        el('td', { class: 'num', text: money(c.price) }),
        el('td', {}, [q, el('button', {
          text: 'Add',
          onclick: function () { add(c.item, parseInt(q.value, 10) || 1); },
        })]),
      ]));
    });
  }

  function renderCart(cart) {
    var lines = cart ? cart.lines : [];
    var count = lines.reduce(function (n, l) { return n + l.quantity; }, 0);
    var summary = $('cart-summary');
    if (summary)
      summary.textContent = count ? count + ' item' + (count > 1 ? 's' : '') + ', total ' + money(cart.total)
                                  : 'Your cart is empty.';
    var body = $('cart-rows');
    if (!body) return;
    body.textContent = '';
    lines.forEach(function (l) {
      body.appendChild(el('tr', {}, [
        el('td', { text: l.item }),
        el('td', { class: 'num', text: String(l.quantity) }),
        el('td', { class: 'num', text: money(l.price) }),
        el('td', { class: 'num', text: money(l.price * BigInt(l.quantity)) }),
        el('td', {}, [el('button', { text: 'Remove', onclick: function () { remove(l.item); } })]),
      ]));
    });
    var total = $('cart-total');
    if (total) total.textContent = money(cart ? cart.total : 0);
    var co = $('checkout');
    if (co) co.disabled = count === 0;
    var empty = $('cart-empty');
    if (empty) empty.hidden = count !== 0;
  }

  function renderOrder(order) {
    var box = $('order');
    if (!box) return;
    box.hidden = false;
    $('order-number').textContent = order.number;
    $('order-total').textContent = money(order.total);
    $('order-time').textContent = new Date(Number(order.timestamp / 1000n)).toUTCString();
  }

  function explain(r) {
    var s = r.result ? r.result.status : (r.refused && r.refused.message) || 'refused';
    return {
      'unknown-item': 'There is no such item for sale.',
      'not-in-cart': 'That item is not in your cart.',
      'empty-cart': 'Your cart is empty: nothing to check out.',
      'limit': 'That would go over a limit of the shop.',
    }[s] || s;
  }

  /* ---- actions ---- */

  async function refreshCart() {
    var r = await call('GET', 'cart', undefined, 'your cart');
    renderCart(r.result.cart);
    badge(r.check);
  }

  async function add(item, quantity) {
    try {
      var r = await call('POST', 'add', { item: item, quantity: quantity }, 'add ' + item + ' x' + quantity);
      if (r.result && r.result.status === 'ok') {
        renderCart(r.result.cart);
        badge(r.check);
        say('Added ' + quantity + ' x ' + item + ' to your cart.');
      } else say(explain(r), 'error');
    } catch (e) {
      say(e.message, 'error');
    }
  }

  async function remove(item) {
    try {
      var r = await call('POST', 'remove', { item: item }, 'remove ' + item);
      if (r.result && r.result.status === 'ok') {
        renderCart(r.result.cart);
        badge(r.check);
        say('Removed ' + item + '.');
      } else say(explain(r), 'error');
    } catch (e) {
      say(e.message, 'error');
    }
  }

  async function checkout() {
    try {
      var r = await call('POST', 'checkout', {}, 'check out');
      if (r.result && r.result.status === 'ok' && r.result.order) {
        renderOrder(r.result.order);
        renderCart(null);
        badge(r.check);
        say('Thank you: order ' + r.result.order.number + ' is placed.');
      } else say(explain(r), 'error');
    } catch (e) {
      say(e.message, 'error');
    }
  }

  /* The keys every other site gives must be the same: a single site lying
   * about the keys is caught here. */
  async function crossCheckKeys() {
    var out = $('keys-agree');
    if (!out) return;
    var same = 1, asked = 1;
    for (var i = 0; i < state.sites.length; i++) {
      if (state.sites[i] === location.origin) continue;
      asked++;
      try {
        var res = await fetchWithTimeout(state.sites[i] + API + 'service', { mode: 'cors', credentials: 'omit' });
        var other = await SP.loadService(await res.json());
        if (other.fingerprint === state.service.fingerprint) same++;
      } catch (e) { /* unreachable or not a service: not the same */ }
    }
    out.textContent = '(the same at ' + same + ' of ' + asked + ' replica sites)';
    out.className = same === asked ? '' : 'error';
  }

  async function start() {
    if (!SP) return;
    if (!(window.crypto && window.crypto.subtle)) {
      say('This browser has no WebCrypto here (it needs a secure context): use the shop without JavaScript at /cart/.', 'error');
      return;
    }
    try {
      var res = await fetch(API + 'service', { cache: 'no-store' });
      var info = await res.json();
      state.service = await SP.loadService(info);
      state.client = cookie('synod-client') || info.client;
      /* The other sites in this page's own scheme: an https page may not
       * fetch from http (mixed content), and the replicas of one
       * deployment serve one scheme. */
      state.sites = (info.sites || []).map(function (s) {
        return s.replace(/^https?:/, location.protocol);
      });
      state.replica = typeof info.replica === 'number' ? info.replica : null;
    } catch (e) {
      say('The shop cannot check answers in this browser (' + e.message + '): use the shop without JavaScript at /cart/.', 'error');
      return;
    }
    if ($('where'))
      $('where').textContent = 'You are on replica ' + (state.replica === null ? '?' : state.replica) +
        ' of the BFT service “' + state.service.name + '” (f = ' + state.service.f + ', n = ' + state.service.n +
        '); your client id is ' + state.client + '.' +
        (info.user ? ' Signed in as ' + info.user + ': your cart follows you to every replica\u2019s site and browser.' : '');
    if ($('fingerprint')) $('fingerprint').textContent = state.service.fingerprint;
    var others = $('others');
    if (others) {
      state.sites.forEach(function (s, i) {
        others.appendChild(el('a', { href: s + location.pathname, text: 'replica ' + i }));
        others.appendChild(document.createTextNode(' '));
      });
    }
    var co = $('checkout');
    if (co) co.addEventListener('click', checkout);
    try {
      if ($('catalog-rows')) {
        var c = await call('GET', 'items', undefined, 'catalog');
        renderCatalog(c.result.catalog);
      }
      await refreshCart();
    } catch (e) {
      say(e.message, 'error');
    }
    crossCheckKeys();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
