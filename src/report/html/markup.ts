// HTML built from tagged templates: every interpolated value is escaped unless it is already markup
// (a Markup made by `html`), so a shop name, an error message or a product title from the store can
// never break the page or run script in it. Arrays are joined, null/undefined/false print nothing.

export class Markup {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Value = Markup | string | number | boolean | null | undefined | Value[];

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(value: Value): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escape(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let text = strings[0]!;
  values.forEach((v, i) => { text += render(v) + strings[i + 1]!; });
  return new Markup(text);
}
