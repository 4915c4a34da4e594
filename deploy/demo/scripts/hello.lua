-- Logs who calls and what it was run with, then goes on with the dialplan:
--   <action application="lua" data="hello.lua first 'second word'"/>
-- Runs without a call too (a hook after hangup): then there is no session.
local args = {}
for i = 1, #argv do
	args[#args + 1] = argv[i]
end
local who = session and session:getVariable("caller_id_number") or "(no call)"
freeswitch.consoleLog("notice", string.format("%s: hello %s, args [%s]\n", argv[0], who,
	table.concat(args, ", ")))
