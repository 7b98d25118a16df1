import { describe, expect, it } from 'vitest';
import { Template, createParameterTree } from '../../src/datamodel/index.js';
import { loadProfile, shippedProfileNames } from '../../src/profile/index.js';
import { handleRequest } from '../../src/usp/index.js';
import type { UspInput, UspRequest, UspResponse } from '../../src/usp/index.js';

/** The {i} form of a concrete leaf path, given the supported table paths. */
function supportedForm(path: string, tables: ReadonlySet<string>): string {
  let sup = '';
  const segs = path.split('.');
  const leaf = segs.pop() as string;
  for (const s of segs) sup += tables.has(sup) && /^\d+$/.test(s) ? '{i}.' : `${s}.`;
  return sup + leaf;
}

describe('every shipped profile answers over USP', () => {
  it.each(shippedProfileNames())('%s: Get of the root returns every leaf; GetSupportedDM lists each in {i} form', async (name) => {
    const template = Template.compile(await loadProfile(name));
    const tree = createParameterTree(template, { index: 1, id: 'cpe-1' });
    const ask = async (request: UspInput<UspRequest>): Promise<UspResponse> => {
      const reply = await handleRequest({ tree, template, controllerId: 'self::ctl' }, { header: { msg_id: '1', msg_type: 'GET' }, body: { request } } as never);
      expect(reply?.body.msg_body).toBe('response');
      return reply!.body.response!;
    };
    const get = (await ask({ get: { param_paths: [`${template.root}.`], max_depth: 0 } })).get_resp!.req_path_results[0]!;
    expect(get.err_code).toBe(0);
    const got = get.resolved_path_results.flatMap((r) => Object.keys(r.result_params).map((k) => r.resolved_path + k));
    const leaves = tree.getValues([`${template.root}.`]).map((v) => v.name);
    expect(got.sort()).toEqual([...leaves].sort());

    const gsdm = (await ask({ get_supported_dm: { obj_paths: [`${template.root}.`], return_params: true } })).get_supported_dm_resp!.req_obj_results[0]!;
    expect(gsdm.err_code).toBe(0);
    const supported = new Set(gsdm.supported_objs.flatMap((o) => o.supported_params.map((p) => o.supported_obj_path + p.param_name)));
    const tables = new Set(gsdm.supported_objs.filter((o) => o.is_multi_instance).map((o) => o.supported_obj_path.slice(0, -'{i}.'.length)));
    for (const leaf of leaves) expect(supported.has(supportedForm(leaf, tables)), leaf).toBe(true);
  });
});
