// The report's markup and charts without a browser: text from the store can never become markup, and
// every chart mark carries the figure it was drawn for.
import { expect } from 'chai';
import { html } from '../../src/report/html/markup.ts';
import { bars, columns, grid } from '../../src/report/html/svg.ts';

describe('report markup', () => {
  it('escapes every interpolated text, attribute or element content, and keeps markup made by html as it is', () => {
    const title = '<script>alert("x")</script> & \'quoted\'';
    const inner = html`<b>${title}</b>`;
    expect(html`<p title="${title}">${inner}${[1, null, false, undefined, 'a']}</p>`.text).to.equal(
      '<p title="&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quoted&#39;"><b>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quoted&#39;</b>1a</p>',
    );
  });

  it('draws one mark per point, each with its label and value, in the given order', () => {
    const points = [{ label: '2026-01-01', value: 12.5 }, { label: '2026-01-02', value: -3 }, { label: 'A <b>', value: 0 }];
    for (const svg of [columns('c', points, String), bars('b', points, String)]) {
      const marks = [...svg.text.matchAll(/<rect class="mark" data-label="([^"]*)" data-value="([^"]*)"/g)].map((m) => [m[1], Number(m[2])]);
      expect(marks).to.deep.equal([['2026-01-01', 12.5], ['2026-01-02', -3], ['A &#60;b&#62;', 0]]);
    }
    const cells = grid('g', ['2026-01', '2026-02'], 2, [{ row: '2026-01', column: 0, value: 1, text: '100' }, { row: '2026-01', column: 1, value: 0.25, text: '25' }, { row: '2026-02', column: 0, value: 1, text: '100' }], (c) => `+${c}`);
    expect([...cells.text.matchAll(/data-row="([^"]*)" data-column="(\d+)" data-value="([^"]*)"/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]))
      .to.deep.equal([['2026-01', 0, 1], ['2026-01', 1, 0.25], ['2026-02', 0, 1]]);
  });
});
