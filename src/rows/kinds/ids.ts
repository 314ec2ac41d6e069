// The kinds that identify a record: its own id and its parent's, from Shopify global ids (GIDs), and
// for an inline list element without an id, its position in the list.
import { EtlError, ErrorCodes } from '../../errors/index.ts';
import { numericId } from '../fields.ts';
import { NULL } from '../tape.ts';
import { kind, putNulls } from './kind.ts';

/** The record's own GID as `admin_graphql_api_id` and its numeric part as `id`; a required one that is missing fails the line. */
export const id = kind<{ readonly required: boolean }>({
  columns: (_name, { required }) => {
    const mode = required ? 'REQUIRED' : 'NULLABLE';
    return [
      { name: 'id', type: 'INTEGER', mode, description: 'Numeric Shopify id (from the GID)' },
      { name: 'admin_graphql_api_id', type: 'STRING', mode, description: 'Shopify global id (GID)' },
    ];
  },
  read(src, key, c, row) {
    const gid = src.string(key);
    if (gid === null && c.options.required) throw new EtlError(ErrorCodes.MALFORMED_JSONL, 'record has no id');
    row[c.names[0]!] = gid === null ? null : numericId(gid);
    row[c.names[1]!] = gid;
  },
  write(c, tape, n, out) {
    if (n >= 0 && tape.type(n) === NULL) {
      if (c.options.required) return false;
      putNulls(c, out);
      return true;
    }
    if (n < 0 || !out.gidNumber(c.keys[0]!, tape, n)) return false;
    out.string(c.keys[1]!, tape, n);
    return true;
  },
  sample: () => 'gid://shopify/Sample/1234567890123',
});

/** The parent's numeric id: `__parentId` on a connection child line, or the id of the record an inline list sits in. */
export const parent = kind<undefined>({
  columns: (name) => [{ name, type: 'INTEGER', mode: 'REQUIRED', description: 'Numeric id of the parent record' }],
  read(src, _key, c, row) {
    const gid = src.parentGid();
    if (gid === null) throw new EtlError(ErrorCodes.MALFORMED_JSONL, `child record has no __parentId (needed for ${c.names[0]})`);
    row[c.names[0]!] = numericId(gid);
  },
  write(c, tape, n, out, owner) {
    const gid = owner >= 0 ? owner : n;
    return gid >= 0 && out.gidNumber(c.keys[0]!, tape, gid);
  },
  sample: () => 'gid://shopify/Parent/1234567890123',
});

/**
 * An inline list element's position in its list, from 0: with the parent id, the key of elements
 * Shopify gives no id (an order's risk assessments). Anything but such an element fails the line.
 */
export const position = kind<undefined>({
  columns: (name) => [{ name, type: 'INTEGER', mode: 'REQUIRED', description: 'Position in the parent\'s list, from 0' }],
  read(src, _key, c, row) {
    if (src.position < 0) throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${c.names[0]} is read from an inline list element only`);
    row[c.names[0]!] = src.position;
  },
  write(c, _tape, _n, out, _owner, at) {
    if (at < 0) return false;
    out.number(c.keys[0]!, at);
    return true;
  },
  sample: () => undefined,
});
