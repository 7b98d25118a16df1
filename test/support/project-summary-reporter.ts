import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one line per Vitest project with its test counts, then a plain
 * `N passed, N failed` closing line. Proves every project in vitest.workspace.ts
 * actually ran (a project that silently matched no file shows up as 0 tests).
 */
export default class ProjectSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byProject = new Map<string, { passed: number; failed: number; skipped: number; files: number }>();
    for (const m of testModules) {
      const name = m.project.name || '(root)';
      const row = byProject.get(name) ?? { passed: 0, failed: 0, skipped: 0, files: 0 };
      row.files++;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') row.passed++;
        else if (state === 'failed') row.failed++;
        else row.skipped++;
      }
      byProject.set(name, row);
    }
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const lines = ['', 'Tests per project:'];
    for (const [name, r] of [...byProject].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`  ${name.padEnd(12)} ${String(r.files).padStart(3)} files  ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
      passed += r.passed;
      failed += r.failed;
      skipped += r.skipped;
    }
    lines.push(`vitest: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
}
