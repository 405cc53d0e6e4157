// SPDX-License-Identifier: GPL-2.0-or-later
/* The dashboard's key table: no key bound twice, every key named and explained. */
#include "ui/dashboard.h"
#include "tap.h"

int main(void)
{
	int dups = 0;
	for (size_t i = 0; i < ui_nkeys; i++)
		for (size_t j = i + 1; j < ui_nkeys; j++)
			if (ui_keys[i].key == ui_keys[j].key) {
				printf("# key %s bound twice\n", ui_keys[i].name);
				dups++;
			}
	OK(dups == 0, "no key is bound twice (%zu keys)", ui_nkeys);
	int bad = 0;
	for (size_t i = 0; i < ui_nkeys; i++)
		bad += !ui_keys[i].name || !*ui_keys[i].name || !ui_keys[i].help || !*ui_keys[i].help;
	OK(bad == 0, "every key has a name and a help text");
	/* l is logs (ctop, k9s); no letter moves: not one is bound to the
	 * handler of Up, and j and h are not bound at all */
	bool (*mv)(struct ui *, int) = NULL;
	for (size_t i = 0; i < ui_nkeys; i++)
		if (!strcmp(ui_keys[i].name, "Up"))
			mv = ui_keys[i].fn;
	bool letters_move = !mv, logs = false;
	for (size_t i = 0; i < ui_nkeys; i++) {
		int k = ui_keys[i].key;
		if (k == 'j' || k == 'h' || (((k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z')) && ui_keys[i].fn == mv))
			letters_move = true;
		if (k == 'l')
			logs = !strncmp(ui_keys[i].help, "logs:", 5);
	}
	OK(!letters_move, "no letter keys for movement (k is kill, as in htop)");
	OK(logs, "l opens the log pane");
	/* the log pane takes every key while open: its own table, no key or
	 * second code twice */
	int pdups = 0, pbad = 0;
	for (size_t i = 0; i < logpane_nkeys; i++) {
		pbad += !logpane_keys[i].name || !*logpane_keys[i].name || !logpane_keys[i].help ||
			strncmp(logpane_keys[i].help, "log: ", 5);
		for (size_t j = 0; j < logpane_nkeys; j++) {
			int a = logpane_keys[i].key, b = logpane_keys[j].key;
			int aa = logpane_keys[i].alias, ba = logpane_keys[j].alias;
			pdups += (j != i && (a == b || (aa && aa == ba))) || (aa && (aa == b || aa == a));
		}
	}
	OK(pdups == 0 && logpane_nkeys >= 10, "the log pane binds no key twice (%zu keys)", logpane_nkeys);
	OK(pbad == 0, "every log pane key has a name and a help text");
	/* the events view (5) takes every key while open: its own table too */
	int edups = 0, ebad = 0;
	for (size_t i = 0; i < evpane_nkeys; i++) {
		ebad += !evpane_keys[i].name || !*evpane_keys[i].name || !evpane_keys[i].fn ||
			!evpane_keys[i].help || strncmp(evpane_keys[i].help, "events: ", 8);
		for (size_t j = 0; j < evpane_nkeys; j++) {
			int a = evpane_keys[i].key, b = evpane_keys[j].key;
			int aa = evpane_keys[i].alias, ba = evpane_keys[j].alias;
			edups += (j != i && (a == b || (aa && aa == ba))) || (aa && (aa == b || aa == a));
		}
	}
	OK(edups == 0 && evpane_nkeys >= 10, "the events view binds no key twice (%zu keys)", evpane_nkeys);
	OK(ebad == 0, "every events view key has a name, a handler and a help text");
	/* the table is also the dispatch: every key has a handler, and a
	 * second code (KEY_ENTER, DEL) is not some other key's */
	int nofn = 0, clash = 0;
	for (size_t i = 0; i < ui_nkeys; i++) {
		nofn += !ui_keys[i].fn;
		for (size_t j = 0; j < ui_nkeys && ui_keys[i].alias; j++)
			clash += ui_keys[i].alias == ui_keys[j].key ||
				 (j != i && ui_keys[i].alias == ui_keys[j].alias);
	}
	/* replay (--replay) and the live past use this same table: their keys
	 * are in it, so the check above covers them */
	const int timekeys[] = {'[', ']', '{', '}', 'g', 'x'};
	int missing = 0;
	for (size_t k = 0; k < sizeof(timekeys) / sizeof(timekeys[0]); k++) {
		bool found = false;
		for (size_t i = 0; i < ui_nkeys; i++)
			found |= ui_keys[i].key == timekeys[k];
		missing += !found;
	}
	OK(missing == 0, "the replay and time keys ([ ] { } g) and x are in the one key table");
	OK(nofn == 0, "every key has a handler");
	OK(clash == 0, "no second code of a key is bound to another");
	return tap_done();
}
