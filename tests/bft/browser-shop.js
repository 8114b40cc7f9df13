/* browser-shop.js — drives the shop's page in a headless Chromium over the
 * DevTools protocol, as a person would: add items, open the cart, remove
 * one, check out. Prints one JSON object with what the page showed after
 * each step (test-bft-site compares it). Every wait is bounded.
 *
 *   node --experimental-websocket browser-shop.js DEVTOOLS-PORT SHOP-URL */
'use strict';
const [devtools, shop] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  let targets;
  for (let i = 0; i < 100 && !targets; i++) {
    try {
      targets = await (await fetch(`http://127.0.0.1:${devtools}/json`)).json();
    } catch (e) {
      await sleep(100);
    }
  }
  const page = targets.find((t) => t.type === 'page');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  const pending = new Map();
  let id = 0;
  ws.onmessage = (m) => {
    const d = JSON.parse(m.data);
    if (d.id && pending.has(d.id)) {
      pending.get(d.id)(d);
      pending.delete(d.id);
    }
  };
  await new Promise((r) => (ws.onopen = r));
  const send = (method, params = {}) =>
    new Promise((r) => {
      const i = ++id;
      pending.set(i, r);
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  const ev = async (expr) =>
    (await send('Runtime.evaluate', { expression: expr, returnByValue: true })).result.result.value;
  /* Waits (at most 20 s) until @expr is true in the page. */
  const until = async (expr) => {
    for (let i = 0; i < 200; i++) {
      if (await ev(`(function () { try { return !!(${expr}); } catch (e) { return false; } })()`)) return true;
      await sleep(100);
    }
    throw new Error('timed out waiting for ' + expr);
  };
  const text = (id) => ev(`document.getElementById('${id}').textContent`);
  const proofs = () => ev(`document.getElementById('proofs').children.length`);
  const out = {};

  await send('Page.navigate', { url: shop });
  await until(`document.querySelectorAll('#catalog-rows button').length > 0 && /verified/.test(document.getElementById('verified').textContent)`);
  let n = await proofs();
  await ev(`(function () {
    const rows = [...document.querySelectorAll('#catalog-rows tr')];
    const tea = rows.find((r) => r.cells[0].textContent === 'tea');
    tea.querySelector('input').value = 2;
    tea.querySelector('button').click();
  })()`);
  await until(`document.getElementById('proofs').children.length > ${n}`);
  n = await proofs();
  await ev(`[...document.querySelectorAll('#catalog-rows tr')].find((r) => r.cells[0].textContent === 'apple').querySelector('button').click()`);
  await until(`document.getElementById('proofs').children.length > ${n}`);
  out.afterAdds = { summary: await text('cart-summary'), badge: await text('verified'), notice: await text('notice') };

  await send('Page.navigate', { url: shop + 'cart.html' });
  await until(`document.querySelectorAll('#cart-rows tr').length > 0`);
  out.cart = await ev(`[...document.querySelectorAll('#cart-rows tr')].map((r) => r.cells[0].textContent + ' ' + r.cells[1].textContent).join(', ')`);
  n = await proofs();
  await ev(`[...document.querySelectorAll('#cart-rows tr')].find((r) => r.cells[0].textContent === 'apple').querySelector('button').click()`);
  await until(`document.getElementById('proofs').children.length > ${n}`);
  out.afterRemove = await ev(`[...document.querySelectorAll('#cart-rows tr')].map((r) => r.cells[0].textContent + ' ' + r.cells[1].textContent).join(', ')`);
  await ev(`document.getElementById('checkout').click()`);
  await until(`!document.getElementById('order').hidden`);
  out.order = { number: await text('order-number'), total: await text('order-total'), notice: await text('notice') };
  out.proofs = await ev(`[...document.querySelectorAll('#proofs li')].map((li) => li.textContent)`);
  ws.close();
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});
