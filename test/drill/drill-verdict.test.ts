/** A drill says exactly what it proved: a "no" in the checklist is "pass with warnings", never a plain pass. */
import {readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {checklistQuestions, drillReminder, restored, verdictLabel} from '../../source/drill/drill.js';
import {ResticCli} from '../../source/restic/client.js';
import {DrillTask} from '../../source/tasks/drill-task.js';
import {makeRepo, tempDir, writeTree, type TestRepo} from '../helpers/restic.js';

let repo: TestRepo;
let state: string;
const saved = process.env.XDG_STATE_HOME;

beforeAll(() => {
	state = tempDir('resto-verdict-state-');
	process.env.XDG_STATE_HOME = state;
	repo = makeRepo();
	const src = path.join(repo.root, 'src');
	writeTree(src, {'a.txt': 'alpha\n'});
	repo.backup([src]);
});
afterAll(() => {
	repo.cleanup();
	rmSync(state, {recursive: true, force: true});
	if (saved === undefined) delete process.env.XDG_STATE_HOME;
	else process.env.XDG_STATE_HOME = saved;
});

/** Run a drill that asks the checklist and answers it from `answers` (by question order). */
async function drillAnswering(answers: ReadonlyArray<'yes' | 'no'>) {
	const task = new DrillTask({name: 'r', access: repo.access}, new ResticCli(repo.access), {seed: 1, skipCheck: true, askChecklist: true});
	let asked = 0;
	task.subscribe(() => {
		const s = task.getSnapshot();
		if (s.phase === 'await-answer' && s.question) {
			const a = answers[asked++] ?? 'yes';
			queueMicrotask(() => task.answer(a));
		}
	});
	const report = await task.run();
	return {report, asked};
}

describe('drill verdicts', () => {
	test('all yes: PASS; one no: PASS WITH WARNINGS in the state, the report and its Markdown', async () => {
		const yes = await drillAnswering([]);
		expect(yes.asked).toBe(checklistQuestions.length);
		expect(yes.report.verdict).toBe('pass');

		const no = await drillAnswering(['yes', 'no']);
		expect(no.report.verdict).toBe('pass-with-warnings');
		expect(no.report.answers[checklistQuestions[1].id]).toBe('no');
		expect(no.report.steps.find(s => s.id === 'checklist')?.status).toBe('warning');
		const md = readFileSync(no.report.reportFiles!.markdown, 'utf8');
		expect(md).toContain('Verdict: PASS WITH WARNINGS');
		// It says what became of the restored copy, and sizes come in one unit style.
		expect(md).toContain('was then removed with its temporary folder');
		expect(md).toMatch(/\(6 B, modified /);
		expect(verdictLabel(no.report.verdict)).toBe('PASS WITH WARNINGS');
		// The backup did restore: the "never passed a restore drill" reminder does not come back.
		expect(restored(no.report.verdict)).toBe(true);
		const id = no.report.repository.id!;
		expect(drillReminder({label: 'r', id}, new Date('2026-07-01T12:00:00Z'), [{...no.report, date: '2026-06-30T12:00:00Z'}])).toBeUndefined();
		expect(drillReminder({label: 'r', id}, new Date('2026-07-01T12:00:00Z'), [])).toMatch(/never passed/);
	}, 90_000);
});
