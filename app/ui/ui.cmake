# The ImGui front end: a static library the sockstep executable links when the GUI is on.
find_package(PkgConfig REQUIRED)
pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)          # brings stb
pkg_check_modules(FONTCONFIG REQUIRED IMPORTED_TARGET fontconfig)
find_package(glfw3 3.3 REQUIRED)
find_package(OpenGL REQUIRED)

add_library(sockstep_ui STATIC
  ui/bytes_panel.cpp
  ui/code_panel.cpp
  ui/console_panel.cpp
  ui/event_log_panel.cpp
  ui/font_text.cpp
  ui/export_dialog.cpp
  ui/fonts.cpp
  ui/gui_app.cpp
  ui/help_overlay.cpp
  ui/layout.cpp
  ui/lesson_panel.cpp
  ui/live_panel.cpp
  ui/students_panel.cpp
  ui/menu_bar.cpp
  ui/model.cpp
  ui/palette.cpp
  ui/prediction_box.cpp
  ui/reference_card.cpp
  ui/run_gui.cpp
  ui/screenshot.cpp
  ui/sequence_panel.cpp
  ui/sockets_panel.cpp
  ui/steps_panel.cpp
  ui/ui_root.cpp
  ui/widgets.cpp
)
target_include_directories(sockstep_ui PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
# The backends' headers live beside imgui's but imgui.pc does not name the folder.
target_include_directories(sockstep_ui SYSTEM PUBLIC /usr/include/imgui/backends)
target_link_libraries(sockstep_ui
  PUBLIC sockstep_engine sockstep_ui_model PkgConfig::IMGUI PkgConfig::FONTCONFIG glfw OpenGL::GL
         Threads::Threads ${CMAKE_DL_LIBS}
  PRIVATE nlohmann_json::nlohmann_json)

target_link_libraries(sockstep PRIVATE sockstep_ui)
target_compile_definitions(sockstep PRIVATE SOCKSTEP_HAVE_GUI=1)

# serve, dial and trace open the window on a live session when not --headless.
target_link_libraries(sockstep_cli PUBLIC sockstep_ui)
target_compile_definitions(sockstep_cli PRIVATE SOCKSTEP_HAVE_GUI=1)
