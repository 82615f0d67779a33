/** What every subcommand receives from cli.tsx. */
export interface CommandContext {
	/** Positional arguments after the command name. */
	args: string[];
	/** Parsed options (see the parseArgs table in cli.tsx). */
	options: {
		repo?: string;
		json?: boolean;
		theme?: string;
		limit?: string;
		'all-repos'?: boolean;
		find?: boolean;
		host?: string;
		type?: string;
		path?: string;
		since?: string;
		until?: string;
		target?: string;
		overwrite?: boolean;
		'dry-run'?: boolean;
		'stall-timeout'?: string;
		seed?: string;
		months?: string;
		files?: string;
		'read-data-subset'?: string;
		yes?: boolean;
		remove?: boolean;
	};
	usage: string;
}
