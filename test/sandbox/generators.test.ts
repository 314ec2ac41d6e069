// Every entity the ETL extracts must have a generator in the sandbox store: its query's root fields
// are roots the store serves, and the store's ground truth counts every table the entity writes. An
// entity added without its sandbox generator (packages/shopify-sandbox/README.md, "Adding an entity")
// fails here, not in a demo run.
import { expect } from 'chai';
import { Kind, parse } from 'graphql';
import { Store, STORE_ROOTS } from 'shopify-sandbox';
import { entities } from '../../src/entities/index.ts';
import { loadQuery } from '../../src/entities/queries.ts';

describe('the sandbox store serves every entity of the registry', () => {
  const truth = new Store({ seed: 1, shopDomain: 'generators.myshopify.com', size: { orders: 3, products: 2, customers: 2 } }).truth();

  for (const entity of entities) {
    it(`${entity.name}: a generator for each root field of its query, and truth for each of its tables`, () => {
      const roots = parse(loadQuery(entity)).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? d.selectionSet.selections : []))
        .flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
      expect(roots, 'root fields of its query').not.to.be.empty;
      for (const root of roots) expect(STORE_ROOTS, `no sandbox generator serves ${root}`).to.include(root);
      for (const table of entity.tables) expect(truth, `the sandbox's truth() has no count for ${table.name}`).to.have.property(table.name);
    });
  }
});
