/**
 * Builds an element. Children that are not nodes become text nodes and attributes go
 * through setAttribute, so data from the server never reaches an HTML parser.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (typeof value === 'function') node.addEventListener(key.replace(/^on/, ''), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(
    ...children
      .flat(Infinity)
      .filter((c) => c != null && c !== false)
      .map((c) => (c instanceof Node ? c : String(c))),
  );
  return node;
}

export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node;
}

/** Runs `fn` once calls stop for `wait` ms, and at least every `maxWait` ms while they keep coming. */
export function debounce(fn, wait, maxWait) {
  let timer;
  let first;
  return () => {
    const now = performance.now();
    first ??= now;
    clearTimeout(timer);
    const delay = Math.max(0, Math.min(wait, first + maxWait - now));
    timer = setTimeout(() => {
      first = undefined;
      fn();
    }, delay);
  };
}
