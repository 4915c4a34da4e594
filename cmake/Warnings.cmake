# Warnings apply to our own targets only (generated protobuf-c code gets a lighter set).
set(TANDEM_WARNINGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
    -Wformat=2 -Wno-unused-parameter)
if(TANDEM_WERROR)
  list(APPEND TANDEM_WARNINGS -Werror)
endif()

function(tandem_target name)
  target_compile_options(${name} PRIVATE ${TANDEM_WARNINGS})
endfunction()
