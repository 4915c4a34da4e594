-- A small IVR: answers, asks for 1 or 2 (three tries, 5 s each, '#' ends the entry) and
-- bridges to the user chosen; anything else ends the call. From the dialplan:
--   <action application="lua" data="ivr_menu.lua 1000 1001"/>
-- argv[1] and argv[2]: the users behind 1 and 2. Prompts are files on the media node.
local targets = { ["1"] = argv[1] or "1000", ["2"] = argv[2] or "1001" }

session:answer()
session:sleep(500)
local choice = session:playAndGetDigits(1, 1, 3, 5000, "#", "ivr-menu.wav", "ivr-invalid.wav",
	"ivr_choice", "^[12]$")
if not session:ready() then
	return
end
local user = targets[choice]
if user then
	freeswitch.consoleLog("info", "ivr_menu: " .. choice .. " -> user/" .. user .. "\n")
	session:execute("bridge", "user/" .. user)
else
	session:streamFile("ivr-goodbye.wav")
	session:hangup("NORMAL_CLEARING")
end
