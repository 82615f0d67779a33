/** Running backups by repository, so they outlive the screen that started them (one per repository). */
import type {BackupTask} from './backup-task.js';

const running = new Map<string, BackupTask>();

export function backupFor(repoName: string): BackupTask | undefined {
	return running.get(repoName);
}

export function registerBackup(repoName: string, task: BackupTask): void {
	running.set(repoName, task);
}

export function forgetBackup(repoName: string, task: BackupTask): void {
	if (running.get(repoName) === task) running.delete(repoName);
}
