/**
 * Building the page's DOM. Everything from the API (labels, reasons, alt text, URLs, notes) goes on
 * screen as text nodes or as attribute values through the DOM, never parsed as markup; the server's CSP
 * forbids inline script as a second line of defence.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An attribute value, or a handler for the attributes named on<event>. */
export type AttrValue = string | number | boolean | null | undefined | ((e: Event) => void);
export type Attrs = Record<string, AttrValue>;
type Child = Node | string | number | boolean | null | undefined;
export type Children = Array<Child | Child[]>;

function append(el: Element, children: Children, skipFalse: boolean): void {
  for (const c of children.flat()) {
    if (c === undefined || c === null || (skipFalse && c === false)) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Builds an element; strings become text nodes, so no data is ever interpreted as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Children): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') {
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    } else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children, true);
  return el;
}

/** The same for SVG elements (attributes are set as given, false included). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Children): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'function') {
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    } else el.setAttribute(k, String(v));
  }
  append(el, children, false);
  return el;
}

/** An element index.html always has. */
function required(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The console's index.html has no #${id}: the page and its script are out of step.`);
  return el;
}

/** Where each view draws itself. */
export const view = (): HTMLElement => required('view');

/** The message line under the header: an error (the default) or news such as "Approved …". */
export function banner(message: string, kind: 'error' | 'info' = 'error'): void {
  const b = required('banner');
  if (!message) {
    b.hidden = true;
    return;
  }
  b.hidden = false;
  b.className = kind === 'info' ? 'info' : '';
  b.textContent = message;
}

/** Sets the header's "where the data comes from" line. */
export function setMode(text: string): void {
  required('mode').textContent = text;
}
