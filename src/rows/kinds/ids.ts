// The kinds that read a record's own id and its parent's, from Shopify global ids (GIDs).
import { EtlError, ErrorCodes } from '../../errors/index.ts';
import { numericId } from '../fields.ts';
import { NULL } from '../tape.ts';
import { COMMA, putByte, putConst, putGidNumber, putString } from '../tape-values.ts';
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
    if (n < 0) return false;
    putConst(out, c.keys[0]!);
    if (!putGidNumber(out, tape, n)) return false;
    putByte(out, COMMA);
    putConst(out, c.keys[1]!);
    putString(out, tape, n);
    putByte(out, COMMA);
    return true;
  },
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
    putConst(out, c.keys[0]!);
    if (gid < 0 || !putGidNumber(out, tape, gid)) return false;
    putByte(out, COMMA);
    return true;
  },
});
