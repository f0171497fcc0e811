import { createHash } from 'node:crypto'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate } from '../../../src/main/catalog/migrate'
import { MIGRATIONS } from '../../../src/main/catalog/migrations'

/**
 * A released migration never changes: the schema text it leaves in sqlite_master must stay the same byte for
 * byte, also where migrations share SQL fragments (migrations/item-table-sql.ts). The digests were taken from
 * the migrations as released; a new migration adds a line here, an old line never changes.
 */
const RELEASED: Record<number, string> = {
  1: '5c780b531b6c12c6af03706efd413b325569d32e737754f834ef507d2ff61448',
  2: '8ce736211181bc539861d9ca1c2f150f078226bbf30c18b64d2c20b5fbb183a7',
  3: '5d3a64f3ddde37916b863e33b54fbf48a47c52ac640cf66652e8c448cdca5c0f',
  4: '6f96ae36d9203109f3341cca5b4c5d276cc9b4350f9a4b431065b5f637fceef0',
  5: 'f8947f54e6d0b9d50f5b9bd2855d137d4ebba3f3d32ab598435923543455f76f',
  6: '2a45e8116f4583d7088ee86099f275a4d3aa2da9ee7725234c0d19d0cfd8746c',
  7: '9ec0d2496b865d1ff3671f494f37a88eace4c142341c481a2d282ac51ee49404',
  8: '08aadb82f47c617b38b5c1edfe3bee152451f6e802a74e867a35346682548f22',
  9: '8ea9ec7a4811ecf101f3517221c9f417025cced601e6a97c8b53bffec3ee866f',
  10: '0823df4222e9637db343431af0522f4120775f66a6049a88cf4662851ed5a41f'
}

function schemaDigest(version: number): string {
  const db = new Database(':memory:')
  try {
    migrate(db, MIGRATIONS, version)
    const rows = db
      .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all()
    return createHash('sha256').update(JSON.stringify(rows)).digest('hex')
  } finally {
    db.close()
  }
}

describe('released migrations', () => {
  for (const [version, digest] of Object.entries(RELEASED)) {
    it(`leave the schema of version ${version} as released`, () => {
      expect(schemaDigest(Number(version))).toBe(digest)
    })
  }
})
