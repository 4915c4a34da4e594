-- Records both parties of a call from its answer on, into one stereo WAV on the media node
-- (caller left, callee right). Run it from the dialplan before the bridge:
--   <action application="set" data="execute_on_answer=lua auto_record.lua"/>
-- The file is <recordings_dir>/<date>_<caller>_<callee>_<uuid>.wav; recordings_dir is a channel
-- variable (unset: the media node's own recordings folder). Caller and callee come from the
-- SIP peer, so only letters, digits, '+' and '-' of them reach the file name.
local function safe(v)
	v = (v or ""):gsub("[^%w%+%-]", "")
	if v == "" then
		return "unknown"
	end
	return v:sub(1, 32)
end

local caller = safe(session:getVariable("caller_id_number"))
local callee = safe(session:getVariable("destination_number"))
local uuid = safe(session:getVariable("uuid"))
local name = string.format("%s_%s_%s_%s.wav", os.date("!%Y%m%d-%H%M%S"), caller, callee, uuid)
local dir = session:getVariable("recordings_dir")
local path = dir and dir ~= "" and (dir .. "/" .. name) or name

session:setVariable("auto_record_path", path)
if session:execute("record_session", path) then
	freeswitch.consoleLog("info", "auto_record: recording to " .. path .. "\n")
else
	freeswitch.consoleLog("warning", "auto_record: cannot record to " .. path .. "\n")
end
