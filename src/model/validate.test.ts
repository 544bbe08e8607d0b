// Bad inputs are refused with messages that name the field to fix, before any arithmetic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { project } from './project.ts';
import { regionalInputs, roleInputs, src } from './test-fixtures.ts';
import type { ModelInputs, RoleGroup, Scenario } from './types.ts';
import { ModelInputError, validate } from './validate.ts';

const scenario: Scenario = { name: 's', levers: [] };
const messages = (inputs: ModelInputs, s: Scenario = scenario) => validate(inputs, s).map((p) => p.message);

describe('validating model inputs', () => {
  it('accepts good inputs', () => {
    assert.deepEqual(validate(regionalInputs(), scenario), []);
  });

  it('names rates out of range and negative counts', () => {
    const inputs = regionalInputs();
    inputs.geographies.E12000007!.roles.care_worker = roleInputs({ turnoverRate: 1.2, sectorExitShare: -0.1, vacancies: -5 });
    assert.deepEqual(messages(inputs), [
      'geographies.E12000007.roles.care_worker.turnoverRate must be between 0 and 1',
      'geographies.E12000007.roles.care_worker.sectorExitShare must be between 0 and 1',
      'geographies.E12000007.roles.care_worker.vacancies must not be negative',
    ]);
  });

  it('names unknown regions and role groups, and England given with regions', () => {
    const inputs = regionalInputs();
    inputs.geographies.E12000010 = inputs.geographies.E12000001!;
    inputs.geographies.E92000001 = inputs.geographies.E12000001!;
    (inputs.geographies.E12000002!.roles as Record<string, unknown>).care_assistant = roleInputs();
    const found = messages(inputs);
    assert.ok(found.some((m) => m.startsWith('geographies.E12000010 is not a known geography')), found.join('\n'));
    assert.ok(found.includes('geographies.E92000001 must not be given with regions (England is their sum)'));
    assert.ok(found.some((m) => m.startsWith('geographies.E12000002.roles.care_assistant is not a known role group')));
  });

  it('names years outside the population series and bands the driver needs', () => {
    const inputs = regionalInputs();
    inputs.horizon = 20; // to 2044; the fixture's series stops at 2040
    const found = messages(inputs, { ...scenario, driverWeights: { '65+': 1, '75-84': 0.5 } });
    assert.ok(found.includes('geographies.E12000001.population.65+.2041 is missing: the year is outside the population series'));
    assert.ok(found.includes('geographies.E12000001.population.75-84 is needed by the demand driver weights but missing'));
  });

  it('names missing provenance and bad levers, and project() refuses with every problem', () => {
    const inputs = regionalInputs();
    const cell = inputs.geographies.E12000003!.roles.other!;
    cell.retirementRate = { value: 0.02, source: '', vintage: '2024' };
    const bad: Scenario = {
      name: 'bad',
      levers: [{ kind: 'magic' as 'attraction', size: 0.1, startYear: 1990, rampYears: -1, roles: ['chef' as RoleGroup] }],
    };
    const expected = [
      'geographies.E12000003.roles.other.retirementRate.source must name a source',
      'scenario.levers[0].kind is not a known lever (pay_premium, attraction, international, training, productivity, prevention)',
      'scenario.levers[0].startYear must be a whole year between 2000 and 2100',
      'scenario.levers[0].rampYears must be a whole number of years between 0 and 50',
      'scenario.levers[0].roles[0] is not a known role group',
    ];
    assert.deepEqual(messages(inputs, bad), expected);
    assert.throws(
      () => project(inputs, bad),
      (e: unknown) => e instanceof ModelInputError && e.problems.map((p) => p.message).join('|') === expected.join('|'),
    );
  });

  it('names impossible progressions, parameters and horizons', () => {
    const inputs = regionalInputs();
    inputs.progression.push({ from: 'care_worker', to: 'care_worker', rate: src(1.5) });
    inputs.parameters = { ...inputs.parameters, turnoverAtFloor: src(37.8) };
    assert.deepEqual(messages(inputs), [
      'progression[2].to must differ from progression.from',
      'progression[2].rate must be between 0 and 1',
      'parameters.turnoverAtFloor must be between 0 and 1',
    ]);
    assert.deepEqual(messages({ ...regionalInputs(), horizon: 0 }), ['horizon must be a whole number of years between 1 and 50']);
  });
});
