import { countReleaseArtifacts } from '../../src/adapters/db/releaseFiles.js';
import { releaseFileIdent } from '../../src/domain/releaseFileIdent.js';
import { AssembleHarness } from '../support/assembleHarness.js';

describe('count_artifacts', () => {
  let h: AssembleHarness;
  beforeAll(async () => {
    h = await AssembleHarness.create({ worker: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it('sums artifact counts, reading NULL as 1 (scenario 37: 3, 1, NULL, 0 -> 5)', async () => {
    const release = await h.createRelease('count-1');
    const other = await h.createRelease('count-2');
    const add = async (releaseId: string, name: string, artifactCount: number | null) => {
      const file = await h.db.insertInto('file').values({ name, type: 'release.file' }).returning('id').executeTakeFirstOrThrow();
      await h.db
        .insertInto('release_file')
        .values({ organization_id: h.organization.id, release_id: releaseId, file_id: file.id, ident: releaseFileIdent(name), name, artifact_count: artifactCount })
        .execute();
    };
    await add(release.id, 'a', 3);
    await add(release.id, 'b', 1);
    await add(release.id, 'c', null);
    await add(release.id, 'd', 0);
    await add(other.id, 'e', 7);
    expect(await countReleaseArtifacts(h.db, release.id)).toBe(5);
    expect(await countReleaseArtifacts(h.db, other.id)).toBe(7);
  });
});
